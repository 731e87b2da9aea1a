/*

rtlgen: depthwise convolution unit shared by several layers

*/

// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * One depthwise multiplier array (PE lanes) time-shared by N depthwise layers of the pipeline.
 * Light depthwise layers (late MobileNet layers need a fraction of one multiplier each at the
 * pipeline's frame rate) would otherwise each hold at least one multiplier that idles most of
 * the time. Per layer i the computation is rtlgen_dwu's:
 *   acc[c] = sum_t (x[c][t] - IN_ZP_i) * (w_i[c][t] - W_ZP_i), t = 0 .. TAPS-1.
 *
 * Input i: the rtlgen_swg ORDER 1 stream of layer i with SIMD = PE (for each window, for each
 *   chunk j of PE channels, TAPS beats, one tap each; lane p is channel j*PE + p), at
 *   s_axis_tdata[i*PE*8 +: PE*8], s_axis_tvalid[i], s_axis_tready[i]. Padding taps carry the
 *   zero point, so tlast/tuser are not needed.
 * Output i: one beat per chunk of layer i, PE lanes of OUT_BITS at
 *   m_axis_tdata[i*PE*OUT_BITS +: PE*OUT_BITS] (lane p at [p*OUT_BITS +: OUT_BITS] of it):
 *   REQUANT = 0: the signed accumulators (OUT_BITS = ACC_BITS);
 *   REQUANT = 1: the 8-bit activations (OUT_BITS = 8) of one rtlgen_requant for all layers
 *   (LAYERS = N, the layer as its tuser): a chunk's PE accumulators enter it RQ_PE lanes at a
 *   time (PE/RQ_PE beats, one every MUL_CYCLES cycles at most), and its outputs are gathered
 *   back into PE lanes before the result buffer. The unit yields a chunk every TAPS cycles at
 *   most, so (PE/RQ_PE)*MUL_CYCLES <= TAPS keeps the requantizer from ever holding the array
 *   up (the generator picks RQ_PE and MUL_CYCLES so; the simulation stops on a violation).
 *
 * Scheduling: the unit computes one whole chunk (TAPS consecutive beats of one input) at a
 *   time. When idle it grants, in the same cycle, the next input after the last one served
 *   (round robin) that has a beat waiting and a free result slot; the grant holds until the
 *   chunk's last tap. Deadlock freedom rests on two rules: (1) a chunk is only started with a
 *   result slot reserved (a credit per input, OUT_DEPTH results), so the array never waits
 *   for a consumer; (2) once the first tap of a chunk is out of rtlgen_swg, its other taps
 *   need no further input (the line buffer releases a window row only when every input row it
 *   needs is written), so a granted chunk always completes. The unit is work-conserving:
 *   with B = sum_i (CHANNELS_i/PE) * TAPS * windows_i busy cycles per frame, it keeps up with a
 *   pipeline of T >= B cycles per frame.
 *
 * Weight ROM: one memory, the layers' rtlgen_dwu ROMs concatenated (layer 0 first): layer i
 *   starts at word sum_{k<i} CHANNELS_k/PE*TAPS, its word j*TAPS + t holds w_i[j*PE + p][t] at
 *   bits [p*8 +: 8] (docs/rtl-architecture.md, gen/include/rtlgen/weight_packing.hpp
 *   pack_depthwise_weights). Read synchronously (block RAM).
 *
 * Pipeline: grant + ROM read + input register, ROM output register, operands, products,
 *   accumulator, result buffer. Latency: LATENCY cycles from a chunk's last tap to its output
 *   beat (empty buffer): 6 (REQUANT = 0); REQUANT = 1 adds the requantizer's 12 stages and the
 *   gather register: 19 at PE = RQ_PE, else also the lane split register and
 *   (PE/RQ_PE - 1)*MUL_CYCLES cycles for the further beats: 20 + (PE/RQ_PE - 1)*MUL_CYCLES. The ROM output register keeps the block RAM's clock-to-out off the path
 *   into the multipliers (w - W_ZP and the multiplier's operand register follow it).
 * Throughput: one tap per cycle, no bubbles between chunks of the same or different inputs,
 *   provided a result slot comes back in time: a slot taken at a chunk's first tap returns
 *   TAPS + LATENCY cycles later (when its result leaves), so one input alone runs at full rate
 *   when (OUT_DEPTH - 1) * TAPS >= LATENCY (REQUANT = 0: OUT_DEPTH 2 for TAPS >= 6, 8 for
 *   TAPS = 1; the generator picks the smallest such OUT_DEPTH).
 */
module rtlgen_dwu_shared #
(
    // Number of layers (input/output stream pairs) sharing the unit (1..32)
    parameter N = 2,
    // Channels (lanes) per beat, inputs and outputs (divides every layer's channels)
    parameter PE = 4,
    // Taps per window = K_H*K_W, the same for every layer (>= 1)
    parameter TAPS = 9,
    // Channels of layer i at bits [i*32 +: 32] (each a multiple of PE)
    parameter [N*32-1:0] CHANNELS = {N{32'd8}},
    // Input element type of every layer: 1 = int8, 0 = uint8
    parameter IN_SIGNED = 1,
    // Input zero point of layer i at bits [i*32 +: 32] (two's complement, in the type's range)
    parameter [N*32-1:0] IN_ZP = {N*32{1'b0}},
    // Weight type of every layer: 1 = int8, 0 = uint8
    parameter W_SIGNED = 1,
    // Weight zero point of layer i at bits [i*32 +: 32] (two's complement, in the type's range)
    parameter [N*32-1:0] W_ZP = {N*32{1'b0}},
    // Accumulator width in bits (signed, 2..64); sums wrap modulo 2^ACC_BITS
    parameter ACC_BITS = 32,
    // Result buffer per output in beats (2, 4, 8 or 16)
    parameter OUT_DEPTH = 2,
    // $readmemh weight file, sum_i CHANNELS_i/PE*TAPS lines of PE*8 bits ("" = uninitialised)
    parameter WEIGHT_FILE = "",
    // 0: accumulators out; 1: one requantizer for every layer, 8-bit activations out
    parameter REQUANT = 0,
    // REQUANT = 1, rtlgen_requant's parameters: lanes (divides PE), the a*M multiply's width and
    // cycles, its parameter ROM (sum_i CHANNELS_i/RQ_PE words of RQ_PE*72 bits, layer 0 first)
    // and that ROM's style, layer i's output zero point and clamp bounds at bits [i*32 +: 32],
    // the output type and the rounding
    parameter RQ_PE = PE,
    parameter MUL_BITS = 32,
    parameter MUL_CYCLES = 1,
    parameter PARAM_FILE = "",
    parameter PARAM_MEM_STYLE = 0,
    parameter [N*32-1:0] OUT_ZP = {N*32{1'b0}},
    parameter [N*32-1:0] ACT_MIN = {N{32'hffffff80}},
    parameter [N*32-1:0] ACT_MAX = {N{32'h0000007f}},
    parameter OUT_SIGNED = 1,
    parameter ROUNDING = 0
)
(
    input  wire                         clk,
    input  wire                         rst,

    /*
     * Window taps, one rtlgen_swg ORDER 1 stream per layer
     */
    input  wire [N*PE*8-1:0]            s_axis_tdata,
    input  wire [N-1:0]                 s_axis_tvalid,
    output wire [N-1:0]                 s_axis_tready,

    /*
     * Accumulators, one beat per window chunk, one stream per layer
     */
    output wire [N*PE*(REQUANT != 0 ? 8 : ACC_BITS)-1:0] m_axis_tdata,
    output wire [N-1:0]                 m_axis_tvalid,
    input  wire [N-1:0]                 m_axis_tready
);

// ROM words before layer k (layer k's base address)
function integer words_before;
    input integer k;
    integer i;
    begin
        words_before = 0;
        for (i = 0; i < k; i = i + 1)
            words_before = words_before + (CHANNELS[i*32 +: 32] / PE) * TAPS;
    end
endfunction

localparam WORDS = words_before(N);
localparam AW = WORDS > 1 ? $clog2(WORDS) : 1;
localparam SW = N > 1 ? $clog2(N) : 1;
localparam TW = TAPS > 1 ? $clog2(TAPS) : 1;
localparam OW = $clog2(OUT_DEPTH);
localparam CW = OW + 1;
localparam OUT_BITS = REQUANT != 0 ? 8 : ACC_BITS;
localparam RW = PE * OUT_BITS;     // a result buffer word
localparam ACC_W = PE * ACC_BITS;   // the accumulators of a chunk
localparam SPLIT = PE / RQ_PE;     // requantizer beats per chunk

localparam [31:0] TAPS_M1 = TAPS - 1;
localparam [TW-1:0] TAP_LAST = TAPS_M1[TW-1:0];
localparam [31:0] OUT_DEPTH_32 = OUT_DEPTH;
localparam [CW-1:0] CREDITS = OUT_DEPTH_32[CW-1:0];

// bad parameters
integer chk;
initial begin
`ifndef SYNTHESIS
    if (N < 1 || N > 32) begin
        $error("%m: N (%0d) must be 1..32", N);
        $finish;
    end
    if (PE < 1 || TAPS < 1) begin
        $error("%m: PE (%0d) and TAPS (%0d) must be >= 1", PE, TAPS);
        $finish;
    end
    for (chk = 0; chk < N; chk = chk + 1) begin
        if (CHANNELS[chk*32 +: 32] < PE || CHANNELS[chk*32 +: 32] % PE != 0) begin
            $error("%m: PE (%0d) must divide CHANNELS of layer %0d (%0d)", PE, chk,
                   CHANNELS[chk*32 +: 32]);
            $finish;
        end
        if ((IN_SIGNED != 0) ? ($signed(IN_ZP[chk*32 +: 32]) < -128 ||
                                $signed(IN_ZP[chk*32 +: 32]) > 127)
                             : ($signed(IN_ZP[chk*32 +: 32]) < 0 ||
                                $signed(IN_ZP[chk*32 +: 32]) > 255)) begin
            $error("%m: IN_ZP of layer %0d (%0d) outside the range of the input type", chk,
                   $signed(IN_ZP[chk*32 +: 32]));
            $finish;
        end
        if ((W_SIGNED != 0) ? ($signed(W_ZP[chk*32 +: 32]) < -128 ||
                               $signed(W_ZP[chk*32 +: 32]) > 127)
                            : ($signed(W_ZP[chk*32 +: 32]) < 0 ||
                               $signed(W_ZP[chk*32 +: 32]) > 255)) begin
            $error("%m: W_ZP of layer %0d (%0d) outside the range of the weight type", chk,
                   $signed(W_ZP[chk*32 +: 32]));
            $finish;
        end
    end
    if (ACC_BITS < 2 || ACC_BITS > 64) begin
        $error("%m: ACC_BITS (%0d) must be 2..64", ACC_BITS);
        $finish;
    end
    if (OUT_DEPTH != 2 && OUT_DEPTH != 4 && OUT_DEPTH != 8 && OUT_DEPTH != 16) begin
        $error("%m: OUT_DEPTH (%0d) must be 2, 4, 8 or 16", OUT_DEPTH);
        $finish;
    end
    if (REQUANT != 0 && (RQ_PE < 1 || PE % RQ_PE != 0 || SPLIT * MUL_CYCLES > TAPS ||
                         ACC_BITS > 32)) begin
        $error("%m: REQUANT needs RQ_PE (%0d) dividing PE (%0d), (PE/RQ_PE)*MUL_CYCLES (%0d) <= TAPS (%0d) and ACC_BITS (%0d) <= 32",
               RQ_PE, PE, SPLIT * MUL_CYCLES, TAPS, ACC_BITS);
        $finish;
    end
`endif
end

/*
 * Weight ROM, synchronous read
 */
// The open ECP5 flow: declared 1024 words deep when wider than 18 bits, so that Yosys maps it in
// the DP16KD's 18-bit mode, whose output register rtlgen pnr absorbs (see rtlgen_mvu's ROM_WORDS).
`ifdef RTLGEN_ECP5
localparam ROM_WORDS = (PE*8 > 18 && WORDS <= 512) ? 1024 : WORDS;
`else
localparam ROM_WORDS = WORDS;
`endif
localparam ROM_AW = ROM_WORDS > 1 ? $clog2(ROM_WORDS) : 1;
(* rom_style = "block" *) (* ramstyle = "M10K" *)
reg [PE*8-1:0] wrom [0:ROM_WORDS-1];

initial begin
    if (WEIGHT_FILE != "") begin
        $readmemh(WEIGHT_FILE, wrom);
    end
end

/*
 * Scheduler: round-robin grant of whole chunks to inputs with a beat and a credit
 */
reg active_reg = 1'b0;             // inside a chunk (taps 1 .. TAPS-1 still to come)
reg [SW-1:0] sel_reg = {SW{1'b0}}; // input being served, or last served when idle
reg [TW-1:0] tap_reg = {TW{1'b0}};

wire [N-1:0] has_credit;
wire [N-1:0] eligible = s_axis_tvalid & has_credit;

// next input after sel_reg (sel_reg itself last) with a beat and a credit
reg [SW-1:0] pick;
reg pick_ok;
integer k, idx;
always @* begin
    pick = sel_reg;
    pick_ok = 1'b0;
    for (k = N; k >= 1; k = k - 1) begin
        idx = k + {{(32-SW){1'b0}}, sel_reg};
        if (idx >= N) begin
            idx = idx - N;
        end
        if (eligible[idx]) begin
            pick = idx[SW-1:0];
            pick_ok = 1'b1;
        end
    end
end

wire [SW-1:0] cur = active_reg ? sel_reg : pick;
wire fire = active_reg ? s_axis_tvalid[sel_reg] : pick_ok;
wire grant = !active_reg && pick_ok;  // first tap of a chunk: reserves a result slot
wire last_tap = tap_reg == TAP_LAST;

always @(posedge clk) begin
    if (fire) begin
        sel_reg <= cur;
        tap_reg <= (TAPS == 1 || last_tap) ? {TW{1'b0}} : tap_reg + 1'b1;
        active_reg <= !(TAPS == 1 || last_tap);
    end
    if (rst) begin
        active_reg <= 1'b0;
        sel_reg <= {SW{1'b0}};
        tap_reg <= {TW{1'b0}};
    end
end

/*
 * Per input: ROM address counter (wraps inside the layer's region), credits, result buffer
 */
// the inputs' word counters side by side at a power-of-two stride, so that picking the current
// input's is a shift, not a multiply by AW (which Yosys maps to a hard multiplier)
localparam AW_STRIDE = 1 << $clog2(AW);
wire [N*AW_STRIDE-1:0] addr_all;
wire [AW-1:0] cur_addr = addr_all[cur*AW_STRIDE +: AW];
wire [ROM_AW-1:0] rom_addr;
generate
    if (ROM_AW > AW) begin : g_addr_ext
        assign rom_addr = {{(ROM_AW-AW){1'b0}}, cur_addr};
    end else begin : g_addr
        assign rom_addr = cur_addr;
    end
endgenerate

// stage 5: a chunk's accumulators; -> (requantizer ->) result buffers
reg done_5 = 1'b0;
reg [SW-1:0] tag_5;
wire [ACC_W-1:0] acc_reg;
// a result and its layer, into the result buffers
wire res_valid;
wire [SW-1:0] res_tag;
wire [RW-1:0] res_data;

genvar g;
generate
    for (g = 0; g < N; g = g + 1) begin : port
        localparam [31:0] BASE_32 = words_before(g);
        localparam [31:0] LAST_32 = words_before(g + 1) - 1;
        localparam [AW-1:0] BASE = BASE_32[AW-1:0];
        localparam [AW-1:0] LAST = LAST_32[AW-1:0];

        reg [AW-1:0] addr_reg = BASE;
        wire my_fire = fire && cur == g;
        always @(posedge clk) begin
            if (my_fire) begin
                addr_reg <= addr_reg == LAST ? BASE : addr_reg + 1'b1;
            end
            if (rst) begin
                addr_reg <= BASE;
            end
        end
        if (AW_STRIDE > AW) begin : g_pad
            assign addr_all[g*AW_STRIDE +: AW_STRIDE] = {{(AW_STRIDE-AW){1'b0}}, addr_reg};
        end else begin : g_fit
            assign addr_all[g*AW_STRIDE +: AW_STRIDE] = addr_reg;
        end
        assign s_axis_tready[g] = active_reg ? sel_reg == g : pick_ok && pick == g;

        // result buffer (OUT_DEPTH beats) and the credits that keep it from overflowing
        reg [RW-1:0] buf_mem [0:OUT_DEPTH-1];
        reg [OW-1:0] wr_ptr = {OW{1'b0}};
        reg [OW-1:0] rd_ptr = {OW{1'b0}};
        reg [CW-1:0] count = {CW{1'b0}};
        reg [CW-1:0] credit = CREDITS;
        wire push = res_valid && res_tag == g;
        wire pop = m_axis_tready[g] && count != {CW{1'b0}};
        wire take = grant && pick == g;

        always @(posedge clk) begin
            if (push) begin
                buf_mem[wr_ptr] <= res_data;
                wr_ptr <= wr_ptr + 1'b1;
            end
            if (pop) begin
                rd_ptr <= rd_ptr + 1'b1;
            end
            if (push && !pop) begin
                count <= count + 1'b1;
            end else if (pop && !push) begin
                count <= count - 1'b1;
            end
            if (take && !pop) begin
                credit <= credit - 1'b1;
            end else if (pop && !take) begin
                credit <= credit + 1'b1;
            end
            if (rst) begin
                wr_ptr <= {OW{1'b0}};
                rd_ptr <= {OW{1'b0}};
                count <= {CW{1'b0}};
                credit <= CREDITS;
            end
        end
        assign has_credit[g] = credit != {CW{1'b0}};
        assign m_axis_tvalid[g] = count != {CW{1'b0}};
        assign m_axis_tdata[g*RW +: RW] = buf_mem[rd_ptr];
    end
endgenerate

/*
 * Stage 1: input register (x - IN_ZP of the layer, 9 bits per lane), ROM read, control;
 * stage 2: their copies, the ROM output register among them
 */
wire [N*32-1:0] in_zp_all = IN_ZP;
wire [N*32-1:0] w_zp_all = W_ZP;
/* verilator lint_off UNUSEDSIGNAL */
wire [31:0] in_zp_cur = in_zp_all[cur*32 +: 32];
/* verilator lint_on UNUSEDSIGNAL */
// the current input's beat, as an AND-OR of the inputs (a part-select at cur*PE*8 would be a
// multiply by PE*8, a hard multiplier in Yosys when PE is not a power of two)
reg [PE*8-1:0] x_cur;
integer xi;
always @* begin
    x_cur = {PE*8{1'b0}};
    for (xi = 0; xi < N; xi = xi + 1) begin
        if ({{(32-SW){1'b0}}, cur} == xi) begin
            x_cur = x_cur | s_axis_tdata[xi*PE*8 +: PE*8];
        end
    end
end

reg [PE*9-1:0] x_1, x_2;
reg [PE*8-1:0] w_1, w_2;
reg valid_1 = 1'b0, valid_2 = 1'b0, valid_3 = 1'b0, valid_4 = 1'b0;
reg first_1, first_2, first_3, first_4;
reg last_1, last_2, last_3, last_4;
reg [SW-1:0] tag_1, tag_2, tag_3, tag_4;
wire [PE*9-1:0] x_diff;

always @(posedge clk) begin
    x_1 <= x_diff;
    w_1 <= wrom[rom_addr];
    valid_1 <= fire;
    first_1 <= tap_reg == {TW{1'b0}};
    last_1 <= TAPS == 1 || last_tap;
    tag_1 <= cur;
    x_2 <= x_1;
    w_2 <= w_1;
    valid_2 <= valid_1;
    first_2 <= first_1;
    last_2 <= last_1;
    tag_2 <= tag_1;
    valid_3 <= valid_2;
    first_3 <= first_2;
    last_3 <= last_2;
    tag_3 <= tag_2;
    valid_4 <= valid_3;
    first_4 <= first_3;
    last_4 <= last_3;
    tag_4 <= tag_3;
    done_5 <= valid_4 && last_4;
    tag_5 <= tag_4;
    if (rst) begin
        valid_1 <= 1'b0;
        valid_2 <= 1'b0;
        valid_3 <= 1'b0;
        valid_4 <= 1'b0;
        done_5 <= 1'b0;
    end
end

/* verilator lint_off UNUSEDSIGNAL */
wire [31:0] w_zp_2 = w_zp_all[tag_2*32 +: 32];
/* verilator lint_on UNUSEDSIGNAL */

/*
 * Stage 3: operands; stage 4: products; stage 5: accumulator (one chunk at a time)
 */
generate
    for (g = 0; g < PE; g = g + 1) begin : lane
        wire [7:0] x = x_cur[g*8 +: 8];
        wire [8:0] x_ext = {(IN_SIGNED != 0) & x[7], x};
        assign x_diff[g*9 +: 9] = x_ext - in_zp_cur[8:0];

        // stage 3 (operands), stage 4 (product), stage 5 (accumulator)
        rtlgen_dwu_lane #(
            .W_SIGNED(W_SIGNED),
            .ACC_BITS(ACC_BITS)
        ) u_lane (
            .clk(clk),
            .ce(1'b1),
            .a(x_2[g*9 +: 9]),
            .w(w_2[g*8 +: 8]),
            .w_zp(w_zp_2[8:0]),
            .acc_en(valid_4),
            .acc_first(first_4),
            .acc(acc_reg[g*ACC_BITS +: ACC_BITS])
        );
    end
endgenerate

/*
 * Results: the accumulators (REQUANT = 0), or their activations from one requantizer for every
 * layer (REQUANT = 1)
 */
generate
    if (REQUANT == 0) begin : g_acc_out
        assign res_valid = done_5;
        assign res_tag = tag_5;
        assign res_data = acc_reg;
    end else begin : g_requant
        localparam KW = SPLIT > 1 ? $clog2(SPLIT) : 1;
        localparam [31:0] SPLIT_M1 = SPLIT - 1;
        localparam [KW-1:0] PART_LAST = SPLIT_M1[KW-1:0];

        // lane split: the chunk's accumulators RQ_PE lanes at a time (a register; SPLIT = 1:
        // the accumulator register itself, taken in the cycle it is valid)
        wire rq_in_valid;
        wire rq_in_ready;
        wire [RQ_PE*ACC_BITS-1:0] rq_in_data;
        wire [SW-1:0] rq_in_tag;
        if (SPLIT == 1) begin : g_direct
            assign rq_in_valid = done_5;
            assign rq_in_data = acc_reg;
            assign rq_in_tag = tag_5;
        end else begin : g_split
            reg [ACC_W-1:0] split_data;
            reg [SW-1:0] split_tag;
            reg [KW-1:0] split_part = {KW{1'b0}};
            reg split_busy = 1'b0;
            always @(posedge clk) begin
                if (done_5) begin
                    split_data <= acc_reg;
                    split_tag <= tag_5;
                    split_part <= {KW{1'b0}};
                    split_busy <= 1'b1;
                end else if (split_busy && rq_in_ready) begin
                    split_data <= split_data >> (RQ_PE*ACC_BITS);
                    split_part <= split_part + 1'b1;
                    split_busy <= split_part != PART_LAST;
                end
                if (rst) begin
                    split_busy <= 1'b0;
                    split_part <= {KW{1'b0}};
                end
            end
            assign rq_in_valid = split_busy;
            assign rq_in_data = split_data[RQ_PE*ACC_BITS-1:0];
            assign rq_in_tag = split_tag;
`ifndef SYNTHESIS
            always @(posedge clk) begin
                if (!rst && done_5 && split_busy && !(rq_in_ready && split_part == PART_LAST)) begin
                    $error("%m: a chunk's result came before the requantizer took the last one (PE/RQ_PE*MUL_CYCLES > TAPS?)");
                    $finish;
                end
            end
`endif
        end

`ifndef SYNTHESIS
        if (SPLIT == 1) begin : g_direct_check
            always @(posedge clk) begin
                if (!rst && done_5 && !rq_in_ready) begin
                    $error("%m: the requantizer refused a chunk's result (MUL_CYCLES > TAPS?)");
                    $finish;
                end
            end
        end
`endif

        wire [SW-1:0] rq_out_tag;  // (SW: rtlgen_requant's tuser width for LAYERS = N)
        wire [RQ_PE*8-1:0] rq_out_data;
        wire rq_out_valid;

        rtlgen_requant #(
            .PE(RQ_PE),
            .LAYERS(N),
            .CHANNELS(CHANNELS),
            .ACC_BITS(ACC_BITS),
            .MUL_BITS(MUL_BITS),
            .MUL_CYCLES(MUL_CYCLES),
            .PARAM_FILE(PARAM_FILE),
            .MEM_STYLE(PARAM_MEM_STYLE),
            .OUT_ZP(OUT_ZP),
            .ACT_MIN(ACT_MIN),
            .ACT_MAX(ACT_MAX),
            .OUT_SIGNED(OUT_SIGNED),
            .ROUNDING(ROUNDING)
        ) u_requant (
            .clk(clk),
            .rst(rst),
            .s_axis_tdata(rq_in_data),
            .s_axis_tuser(rq_in_tag),
            .s_axis_tvalid(rq_in_valid),
            .s_axis_tready(rq_in_ready),
            .m_axis_tdata(rq_out_data),
            .m_axis_tuser(rq_out_tag),
            .m_axis_tvalid(rq_out_valid),
            .m_axis_tready(1'b1)  // a result slot is reserved for every chunk in flight
        );

        // gather: SPLIT requantizer beats (consecutive: one chunk at a time) into one result
        reg [RW-1:0] gather_data;
        reg [SW-1:0] gather_tag;
        reg [KW-1:0] gather_part = {KW{1'b0}};
        reg gather_valid = 1'b0;
        wire [RW-1:0] gathered;
        if (SPLIT == 1) begin : g_one
            assign gathered = rq_out_data;
        end else begin : g_shift
            assign gathered = {rq_out_data, gather_data[RW-1:RQ_PE*8]};
        end
        always @(posedge clk) begin
            gather_valid <= 1'b0;
            if (rq_out_valid) begin
                gather_data <= gathered;
                gather_tag <= rq_out_tag;
                gather_part <= gather_part == PART_LAST ? {KW{1'b0}} : gather_part + 1'b1;
                gather_valid <= gather_part == PART_LAST;
            end
            if (rst) begin
                gather_valid <= 1'b0;
                gather_part <= {KW{1'b0}};
            end
        end
        assign res_valid = gather_valid;
        assign res_tag = gather_tag;
        assign res_data = gather_data;
    end
endgenerate

endmodule

`resetall
