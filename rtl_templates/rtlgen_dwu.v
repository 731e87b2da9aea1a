/*

rtlgen: depthwise convolution unit

*/

// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Depthwise convolution unit: acc[c] = sum_t (x[c][t] - IN_ZP) * (w[c][t] - W_ZP) for every
 * channel c of a window, t = 0 .. TAPS-1 in (ky, kx) order (TAPS = K_H*K_W).
 *
 * Input: the rtlgen_swg ORDER 1 stream with SIMD = PE: for each window, for each chunk
 *   j = 0 .. CHANNELS/PE-1 of PE channels, TAPS beats (one tap each); lane p of a beat
 *   (s_axis_tdata[p*8 +: 8]) is channel j*PE + p. The module counts beats itself (TAPS per
 *   chunk, CHANNELS/PE chunks per window). Padding taps carry IN_ZP and so contribute 0;
 *   s_axis_tuser (tap inside the image) is ignored. s_axis_tlast (rtlgen_swg: last beat of a
 *   window) is not needed for framing; its value on the last tap of a chunk is passed to
 *   m_axis_tlast of that chunk's output beat (i.e. m_axis_tlast marks a window's last chunk).
 *
 * Output: one beat per chunk, PE signed accumulators of ACC_BITS (lane p at
 *   m_axis_tdata[p*ACC_BITS +: ACC_BITS], channel j*PE + p); sums wrap modulo 2^ACC_BITS.
 *
 * Weight ROM: CHANNELS/PE*TAPS words of PE*8 bits; word j*TAPS + t holds w[j*PE + p][t] at bits
 *   [p*8 +: 8] (docs/rtl-architecture.md, gen/include/rtlgen/weight_packing.hpp
 *   pack_depthwise_weights). Read synchronously at a registered address (block RAM).
 *
 * Pipeline: ROM read + input register, ROM output register, operands (x - IN_ZP, w - W_ZP,
 *   9 bits), 9x9 products,
 *   accumulators (which double as the output register). All stages share one clock enable
 *   ce = !m_axis_tvalid || m_axis_tready, which is also s_axis_tready (a stall-able pipeline
 *   with a combinational ready path, as allowed by docs/rtl-architecture.md).
 *
 * Latency: 5 cycles from the handshake of a chunk's last tap to its output handshake.
 * Throughput: one input beat per cycle, TAPS cycles per chunk, no bubbles between chunks,
 *   windows or frames while the output is ready.
 */
module rtlgen_dwu #
(
    // Number of channels (>= 1, multiple of PE)
    parameter CHANNELS = 8,
    // Channels (lanes) per beat, input and output (divides CHANNELS)
    parameter PE = 4,
    // Taps per window = K_H*K_W (>= 1)
    parameter TAPS = 9,
    // Input element type: 1 = int8, 0 = uint8
    parameter IN_SIGNED = 1,
    // Input zero point (int8: -128..127, uint8: 0..255), subtracted from every input
    parameter IN_ZP = 0,
    // Weight type: 1 = int8, 0 = uint8
    parameter W_SIGNED = 1,
    // Weight zero point (int8: -128..127, uint8: 0..255), subtracted from every weight
    parameter W_ZP = 0,
    // Accumulator width in bits (signed, 2..64); sums wrap modulo 2^ACC_BITS
    parameter ACC_BITS = 32,
    // $readmemh weight file, CHANNELS/PE*TAPS lines of PE*8 bits ("" = uninitialised ROM)
    parameter WEIGHT_FILE = "",
    // weight ROM: 0 = block RAM, 1 = LUTs (distributed); chosen by the generator's resource
    // model (distributed_memory() in gen/src/resources/resource_model.cpp)
    parameter MEM_STYLE = 0
)
(
    input  wire                       clk,
    input  wire                       rst,

    /*
     * Window taps (rtlgen_swg ORDER 1, SIMD = PE)
     */
    input  wire [PE*8-1:0]            s_axis_tdata,
    input  wire                       s_axis_tvalid,
    output wire                       s_axis_tready,
    input  wire                       s_axis_tlast,
    input  wire                       s_axis_tuser,

    /*
     * Accumulators, one beat per window chunk
     */
    output wire [PE*ACC_BITS-1:0]     m_axis_tdata,
    output wire                       m_axis_tvalid,
    input  wire                       m_axis_tready,
    output wire                       m_axis_tlast
);

localparam CHUNKS = CHANNELS / PE;
localparam WORDS = CHUNKS * TAPS;
localparam TW = TAPS > 1 ? $clog2(TAPS) : 1;
localparam AW = WORDS > 1 ? $clog2(WORDS) : 1;
// The open ECP5 flow: declared 1024 words deep when wider than 18 bits, so that Yosys maps it in
// the DP16KD's 18-bit mode, whose output register rtlgen pnr absorbs (see rtlgen_mvu's ROM_WORDS).
`ifdef RTLGEN_ECP5
localparam ROM_WORDS = (PE*8 > 18 && WORDS <= 512) ? 1024 : WORDS;
`else
localparam ROM_WORDS = WORDS;
`endif
localparam ROM_AW = ROM_WORDS > 1 ? $clog2(ROM_WORDS) : 1;
// control pipeline depth before the accumulators: ROM/input, operands, products
localparam DEPTH = 4;

localparam [31:0] TAPS_M1 = TAPS - 1;
localparam [31:0] WORDS_M1 = WORDS - 1;
localparam [TW-1:0] TAP_LAST = TAPS_M1[TW-1:0];
localparam [AW-1:0] ADDR_LAST = WORDS_M1[AW-1:0];
localparam [31:0] IN_ZP_32 = IN_ZP;
localparam [31:0] W_ZP_32 = W_ZP;
localparam [8:0] IN_ZP_9 = IN_ZP_32[8:0];
localparam [8:0] W_ZP_9 = W_ZP_32[8:0];

// bad parameters
initial begin
`ifndef SYNTHESIS
    if (CHANNELS < 1 || PE < 1 || CHANNELS % PE != 0) begin
        $error("%m: PE (%0d) must divide CHANNELS (%0d)", PE, CHANNELS);
        $finish;
    end
    if (TAPS < 1) begin
        $error("%m: TAPS (%0d) must be >= 1", TAPS);
        $finish;
    end
    if ((IN_SIGNED != 0) ? (IN_ZP < -128 || IN_ZP > 127) : (IN_ZP < 0 || IN_ZP > 255)) begin
        $error("%m: IN_ZP (%0d) outside the range of the input type", IN_ZP);
        $finish;
    end
    if ((W_SIGNED != 0) ? (W_ZP < -128 || W_ZP > 127) : (W_ZP < 0 || W_ZP > 255)) begin
        $error("%m: W_ZP (%0d) outside the range of the weight type", W_ZP);
        $finish;
    end
    if (ACC_BITS < 2 || ACC_BITS > 64) begin
        $error("%m: ACC_BITS (%0d) must be 2..64", ACC_BITS);
        $finish;
    end
`endif
end

/*
 * Control: tap and ROM address counters, valid/first/last pipeline
 */
reg m_valid_reg = 1'b0;
wire ce = !m_valid_reg || m_axis_tready;
wire s_fire = s_axis_tvalid && ce;

reg [TW-1:0] tap_reg = {TW{1'b0}};
reg [AW-1:0] addr_reg = {AW{1'b0}};
wire first_tap = tap_reg == {TW{1'b0}};
wire last_tap = tap_reg == TAP_LAST;

reg [DEPTH-1:0] valid_pipe = {DEPTH{1'b0}};
reg [DEPTH-1:0] first_pipe = {DEPTH{1'b0}};
reg [DEPTH-1:0] last_pipe = {DEPTH{1'b0}};
reg [DEPTH-1:0] tlast_pipe = {DEPTH{1'b0}};
reg m_last_reg = 1'b0;

always @(posedge clk) begin
    if (s_fire) begin
        tap_reg <= (TAPS == 1 || last_tap) ? {TW{1'b0}} : tap_reg + 1'b1;
        addr_reg <= (WORDS == 1 || addr_reg == ADDR_LAST) ? {AW{1'b0}} : addr_reg + 1'b1;
    end
    if (ce) begin
        valid_pipe <= {valid_pipe[DEPTH-2:0], s_axis_tvalid};
        first_pipe <= {first_pipe[DEPTH-2:0], first_tap};
        last_pipe <= {last_pipe[DEPTH-2:0], last_tap};
        tlast_pipe <= {tlast_pipe[DEPTH-2:0], s_axis_tlast};
        m_valid_reg <= valid_pipe[DEPTH-1] && last_pipe[DEPTH-1];
        m_last_reg <= tlast_pipe[DEPTH-1];
    end
    if (rst) begin
        tap_reg <= {TW{1'b0}};
        addr_reg <= {AW{1'b0}};
        valid_pipe <= {DEPTH{1'b0}};
        m_valid_reg <= 1'b0;
    end
end

/*
 * Stage 1: input register (x - IN_ZP, 9 bits per lane) and ROM read; stage 1b: ROM output
 * register (no carry chain behind the block RAM's clock-to-output)
 */
reg [PE*9-1:0] x_1a;
reg [PE*8-1:0] w_1a;
reg [PE*9-1:0] x_1;
reg [PE*8-1:0] w_1;
wire [PE*9-1:0] x_diff;

// weight ROM, synchronous read at a registered address into w_1a (nothing between the ROM and it)
generate
    if (MEM_STYLE == 1) begin : g_rom_lut
        // LUT ROM. Vivado: rom_style "distributed"; Quartus: MLAB. Yosys reads rom_block before
        // rom_style and builds the ROM from LUTs ("logic": its Xilinx / ECP5 LUT RAM maps take no
        // ROMs, rom_style "distributed" alone stops synth_xilinx with "no valid mapping").
        (* rom_block = "logic" *) (* rom_style = "distributed" *) (* ramstyle = "MLAB" *)
        reg [PE*8-1:0] wrom [0:WORDS-1];
        initial begin
            if (WEIGHT_FILE != "") begin
                $readmemh(WEIGHT_FILE, wrom);
            end
        end
        always @(posedge clk) begin
            if (ce) begin
                w_1a <= wrom[addr_reg];
            end
        end
    end else begin : g_rom_block
        (* rom_style = "block" *) (* ramstyle = "M10K" *)
        reg [PE*8-1:0] wrom [0:ROM_WORDS-1];
        wire [ROM_AW-1:0] rom_addr;
        if (ROM_AW > AW) begin : g_addr_ext
            assign rom_addr = {{(ROM_AW-AW){1'b0}}, addr_reg};
        end else begin : g_addr
            assign rom_addr = addr_reg;
        end
        initial begin
            if (WEIGHT_FILE != "") begin
                $readmemh(WEIGHT_FILE, wrom);
            end
        end
        always @(posedge clk) begin
            if (ce) begin
                w_1a <= wrom[rom_addr];
            end
        end
    end
endgenerate

always @(posedge clk) begin
    if (ce) begin
        x_1a <= x_diff;
        x_1 <= x_1a;
        w_1 <= w_1a;
    end
end

/*
 * Stage 2: operands; stage 3: products; stage 4: accumulators
 */
wire [PE*ACC_BITS-1:0] acc_all;
wire acc_en = ce && valid_pipe[DEPTH-1];
wire acc_first = first_pipe[DEPTH-1];

genvar g;
generate
    for (g = 0; g < PE; g = g + 1) begin : lane
        wire [7:0] x = s_axis_tdata[g*8 +: 8];
        wire [8:0] x_ext = {(IN_SIGNED != 0) & x[7], x};
        assign x_diff[g*9 +: 9] = x_ext - IN_ZP_9;

        // stage 2 (operands), stage 3 (product), stage 4 (accumulator)
        rtlgen_dwu_lane #(
            .W_SIGNED(W_SIGNED),
            .ACC_BITS(ACC_BITS)
        ) u_lane (
            .clk(clk),
            .ce(ce),
            .a(x_1[g*9 +: 9]),
            .w(w_1[g*8 +: 8]),
            .w_zp(W_ZP_9),
            .acc_en(acc_en),
            .acc_first(acc_first),
            .acc(acc_all[g*ACC_BITS +: ACC_BITS])
        );
    end
endgenerate

// tuser (tap inside the image) is not needed: padding taps carry IN_ZP
/* verilator lint_off UNUSEDSIGNAL */
wire unused_tuser = s_axis_tuser;
/* verilator lint_on UNUSEDSIGNAL */

assign s_axis_tready = ce;
assign m_axis_tdata = acc_all;
assign m_axis_tvalid = m_valid_reg;
assign m_axis_tlast = m_last_reg;

endmodule

`resetall
