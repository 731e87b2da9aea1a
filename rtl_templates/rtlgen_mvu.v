/*

rtlgen: PE x SIMD matrix-vector unit

*/

// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Matrix-vector unit: y[oc] = sum_k (x[k] - IN_ZP) * (w[oc][k] - W_ZP) for oc = 0 .. MH-1.
 *
 * Folding: SF = MW / SIMD input beats per vector, NF = MH / PE output beats per vector.
 * The weight ROM holds NF*SF words of PE*SIMD weights; word nf*SF + sf holds
 * w[nf*PE + p][sf*SIMD + s] at bits [(p*SIMD + s)*8 +: 8] (docs/rtl-architecture.md).
 *
 * Input:  SF beats of SIMD elements per vector (element s at s_axis_tdata[s*IN_BITS +: IN_BITS];
 *         IN_BITS = 8 except for the wide activations of the scale-shift scheme).
 * Output: NF beats per vector; lane p of beat nf (m_axis_tdata[p*ACC_BITS +: ACC_BITS], signed)
 *         is output channel nf*PE + p.
 *
 * Structure: the input vector is stored (as x - IN_ZP, IN_BITS+1 bits) in a ping-pong buffer of two
 * SF-deep banks, so the next vector is written while the current one is re-read NF times.
 * A sequencer issues one (nf, sf) fold per cycle: buffer read and ROM read (both synchronous,
 * block-RAM style, addresses from counters), memory output registers, operand register, PE*SIMD (IN_BITS+1) x 9 signed multipliers (registered), a registered
 * binary adder tree of ceil(log2(SIMD)) levels per PE, then the accumulators, which double as
 * the output register.
 *
 * Throughput: one fold per cycle, i.e. NF*SF cycles per vector in steady state (also when
 * NF = SF = 1), as long as the input delivers SF beats within NF*SF cycles and the output is
 * ready. Latency from the last input beat of a vector to its first output beat:
 * 6 + ceil(log2(SIMD)) cycles, one more with RTLGEN_ECP5 and ROM_BANK_WORDS (a block-RAM ROM
 * deeper than one block: its word-select stage).
 *
 * Handshake: s_axis_tready is a register output (not combinational on anything); all compute
 * stages share a clock enable, itself a register of the output skid (rtlgen_skid): the
 * pipeline stalls only while the skid register holds an output beat that was not accepted
 * when the pipeline moved on. m_axis_tready reaches nothing but the skid register.
 */
module rtlgen_mvu #
(
    // Input vector length in elements (>= 1, multiple of SIMD)
    parameter MW = 25,
    // Output vector length = number of output channels (>= 1, multiple of PE)
    parameter MH = 6,
    // Processing elements = output lanes per output beat (divides MH)
    parameter PE = 6,
    // Input elements per input beat (divides MW)
    parameter SIMD = 25,
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
    // $readmemh weight file, NF*SF lines of PE*SIMD*8 bits ("" = uninitialised ROM)
    parameter WEIGHT_FILE = "",
    // Input element width in bits (2..30; 8 = int8/uint8)
    parameter IN_BITS = 8,
    // weight ROM: 0 = block RAM, 1 = LUTs (distributed); chosen by the generator's resource
    // model (distributed_memory() in gen/src/resources/resource_model.cpp)
    parameter MEM_STYLE = 0,
    // multipliers: 0 = hard multipliers (DSP48 / MULT18X18D / Intel DSP), 1 = LUTs (shift-add of
    // partial products, which no synthesiser maps to a DSP; hw: {mult: lut} in the YAML)
    parameter MULT_STYLE = 0,
    // with RTLGEN_ECP5: block-RAM weight ROM in banks of this many words (0 = one memory from
    // WEIGHT_FILE) and a word-select stage; bank b (0..999) holds words b*ROM_BANK_WORDS .. and
    // is read from the file {WEIGHT_BANK_PREFIX, "_bank", three decimal digits of b, ".mem"}
    parameter ROM_BANK_WORDS = 0,
    // file name prefix of the banks' $readmemh files (ROM_BANK_WORDS > 0)
    parameter WEIGHT_BANK_PREFIX = ""
)
(
    input  wire                       clk,
    input  wire                       rst,

    /*
     * Input vector stream: SIMD elements per beat
     */
    input  wire [SIMD*IN_BITS-1:0]    s_axis_tdata,
    input  wire                       s_axis_tvalid,
    output wire                       s_axis_tready,

    /*
     * Output stream: PE signed accumulators per beat
     */
    output wire [PE*ACC_BITS-1:0]     m_axis_tdata,
    output wire                       m_axis_tvalid,
    input  wire                       m_axis_tready
);

localparam SF = MW / SIMD;
localparam NF = MH / PE;
localparam SF_W = SF > 1 ? $clog2(SF) : 1;
localparam NF_W = NF > 1 ? $clog2(NF) : 1;
localparam WA_W = NF*SF > 1 ? $clog2(NF*SF) : 1;
localparam IA_W = $clog2(2*SF);
// adder tree levels and widths: XD x 9 signed products are XD+9 bits, each level adds one bit
localparam LEVELS = SIMD > 1 ? $clog2(SIMD) : 0;
// (x - IN_ZP) is XD = IN_BITS+1 bits, (w - W_ZP) 9 bits
localparam XD = IN_BITS + 1;
localparam SB = XD + 9 + LEVELS;
// width of the product expression in simulation: a C++ integer (see g_dsp)
localparam PW = SB <= 32 ? 32 : 64;
// In the open ECP5 flow a block-RAM weight ROM deeper than one block (ROM_BANK_WORDS, which the
// generator sets only then) takes one more stage, in which its word is selected from the banks
// (see g_rom_banks and g_rom_sel). The generator's latency model counts that stage for every
// target (one cycle early elsewhere), so skip FIFOs are deep enough for both forms.
`ifdef RTLGEN_ECP5
localparam ROM_SEL = (MEM_STYLE == 0 && ROM_BANK_WORDS > 0 && NF*SF > ROM_BANK_WORDS) ? 1 : 0;
`else
localparam ROM_SEL = 0;
`endif
// control pipeline: RAM read, RAM output register, (ROM_SEL: word select,) operands, products,
// LEVELS tree levels
localparam DEPTH = 4 + ROM_SEL + LEVELS;
// stage_en index that loads the operands
localparam OPS = 2 + ROM_SEL;

// adder tree nodes: level 0 = SIMD products, level l = ceil(SIMD / 2^l) nodes, numbered level
// after level: node i of level l is number tree_offset(l) + i
function integer tree_nodes(input integer lvl);
    begin
        tree_nodes = (SIMD + (1 << lvl) - 1) >> lvl;
    end
endfunction

function integer tree_offset(input integer lvl);
    integer j;
    begin
        tree_offset = 0;
        for (j = 0; j < lvl; j = j + 1) begin
            tree_offset = tree_offset + tree_nodes(j);
        end
    end
endfunction

// Weight ROM banks (open ECP5 flow only). A ROM deeper than one block RAM is several blocks whose
// outputs Yosys multiplexes right behind them, in the cycle of the block's clock-to-out (an ECP5
// DP16KD without its output register, which Yosys never uses: 5.8 ns on LFE5U-85F-6): LeNet
// small's fc1 (2,520 words) closed at 104 MHz with that mux on its critical path. In banks, every
// bank's output gets a register (stage 2; `rtlgen pnr` moves it into the DP16KD's own output
// register) and the bank select has a stage of its own (ROM_SEL), in front of the operand
// registers: in the operand stage, the select's fan-out to every weight bit closed LeNet small at
// 120 MHz. Vivado and Quartus use their block RAMs' output registers and pipeline cascades
// themselves: there the ROM stays one memory (WEIGHT_FILE).
`ifdef RTLGEN_ECP5
localparam ROM_BANKS = ROM_SEL ? (NF*SF + ROM_BANK_WORDS - 1) / ROM_BANK_WORDS : 1;
`else
localparam ROM_BANKS = 1;
`endif
localparam BANK_AW = (ROM_BANKS > 1 && ROM_BANK_WORDS > 1) ? $clog2(ROM_BANK_WORDS) : 1;
// The open ECP5 flow (RTLGEN_ECP5): a block-RAM ROM wider than 18 bits and at most 512 words
// deep is mapped by Yosys in the DP16KD's 36-bit mode, whose output register `rtlgen pnr` does
// not take (ecp5_outreg.hpp), leaving nextpnr's 5.83 ns clock-to-out of LFE5U-85F-6 in the
// read path. Declared 1024 words deep it maps in the 18-bit mode, which takes the register (at
// most twice the blocks; the words beyond the file are never read).
`ifdef RTLGEN_ECP5
localparam ROM_WORDS = (PE*SIMD*8 > 18 && NF*SF <= 512) ? 1024 : NF*SF;
`else
localparam ROM_WORDS = NF*SF;
`endif
localparam ROM_AW = ROM_WORDS > 1 ? $clog2(ROM_WORDS) : 1;
localparam BANK_SW = ROM_BANKS > 1 ? $clog2(ROM_BANKS) : 1;

localparam TREE_NODES = tree_offset(LEVELS + 1);
localparam TREE_ROOT = tree_offset(LEVELS);
// registered tree nodes above the products (level 0 lives in the multipliers' product registers)
localparam TREE_REG_NODES = LEVELS > 0 ? TREE_NODES - SIMD : 1;

// The open ECP5 flow (RTLGEN_ECP5) gets each multiply as an rtlgen_mul, i.e. a MULT18X18D with
// its own operand and product registers: the operands go from the memory output registers
// straight into the block (w - W_ZP, a 9-bit subtraction, in front of it), because Yosys does
// not move fabric registers into the block and a multiply between fabric registers limits the
// clock (140 MHz on LFE5U-85F-6 against 500 MHz with the block's registers). Elsewhere the
// operand and product registers are plain fabric registers, which Vivado and Quartus pack into
// their DSP blocks themselves, and which are shared between the PEs (x) in simulation.
`ifdef RTLGEN_ECP5
localparam HARD_MUL = (MULT_STYLE == 0 && XD <= 18) ? 1 : 0;
`else
localparam HARD_MUL = 0;
`endif

localparam [31:0] SF_M1 = SF - 1;
localparam [31:0] NF_M1 = NF - 1;
localparam [31:0] WA_M1 = NF*SF - 1;
localparam [31:0] SF_32 = SF;
localparam [SF_W-1:0] SF_LAST = SF_M1[SF_W-1:0];
localparam [NF_W-1:0] NF_LAST = NF_M1[NF_W-1:0];
localparam [WA_W-1:0] WA_LAST = WA_M1[WA_W-1:0];
localparam [IA_W-1:0] SF_BASE = SF_32[IA_W-1:0];
localparam [31:0] IA_M1 = 2*SF - 1;
localparam [IA_W-1:0] IA_LAST = IA_M1[IA_W-1:0];
localparam [31:0] IN_ZP_32 = IN_ZP;
localparam [31:0] W_ZP_32 = W_ZP;
localparam [XD-1:0] IN_ZP_X = IN_ZP_32[XD-1:0];
localparam [8:0] W_ZP_9 = W_ZP_32[8:0];

// bad parameters
initial begin
`ifndef SYNTHESIS
    if (MW < 1 || MH < 1 || PE < 1 || SIMD < 1) begin
        $error("%m: MW (%0d), MH (%0d), PE (%0d), SIMD (%0d) must be >= 1", MW, MH, PE, SIMD);
        $finish;
    end
    if (MW % SIMD != 0) begin
        $error("%m: SIMD (%0d) must divide MW (%0d)", SIMD, MW);
        $finish;
    end
    if (MH % PE != 0) begin
        $error("%m: PE (%0d) must divide MH (%0d)", PE, MH);
        $finish;
    end
    if (IN_BITS < 2 || IN_BITS > 30 ||
        ((IN_SIGNED != 0) ? (IN_ZP < -(1 << (IN_BITS - 1)) || IN_ZP >= (1 << (IN_BITS - 1)))
                          : (IN_ZP < 0 || IN_ZP >= (1 << IN_BITS)))) begin
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
    if (ROM_BANKS > 1 && (ROM_BANKS > 1000 || (ROM_BANK_WORDS & (ROM_BANK_WORDS - 1)) != 0)) begin
        $error("%m: ROM_BANK_WORDS (%0d) must be a power of two giving at most 1000 banks",
               ROM_BANK_WORDS);
        $finish;
    end
`endif
end

/*
 * Input side: ping-pong vector buffer holding x - IN_ZP as 9-bit signed values
 */
// no_rw_check: the read side uses only a bank the write side has completed and left. With
// RTLGEN_ECP5, declared 1024 words deep when wider than 18 bits (the weight ROM's reason: the
// DP16KD's 18-bit mode, whose output register takes x_rd_reg).
`ifdef RTLGEN_ECP5
localparam IBUF_WORDS = (SIMD*XD > 18 && 2*SF <= 512) ? 1024 : 2*SF;
`else
localparam IBUF_WORDS = 2*SF;
`endif
localparam IBUF_AW = $clog2(IBUF_WORDS);
(* no_rw_check *)
reg [SIMD*XD-1:0] ibuf [0:IBUF_WORDS-1];
wire [IBUF_AW-1:0] ibuf_wr_addr;
wire [IBUF_AW-1:0] ibuf_rd_addr;

reg [1:0] full_reg = 2'b00;  // bank holds a complete vector not yet fully used
reg wr_bank_reg = 1'b0;
reg [SF_W-1:0] wr_sf_reg = {SF_W{1'b0}};
reg s_ready_reg = 1'b0;

reg rd_bank_reg = 1'b0;
reg [SF_W-1:0] rd_sf_reg = {SF_W{1'b0}};
reg [NF_W-1:0] rd_nf_reg = {NF_W{1'b0}};
reg [WA_W-1:0] w_addr_reg = {WA_W{1'b0}};
// buffer addresses: bank * SF + sf, kept as counters
reg [IA_W-1:0] wr_addr_reg = {IA_W{1'b0}};
reg [IA_W-1:0] rd_addr_reg = {IA_W{1'b0}};
generate
    if (IBUF_AW > IA_W) begin : g_ibuf_addr_ext
        assign ibuf_wr_addr = {{(IBUF_AW-IA_W){1'b0}}, wr_addr_reg};
        assign ibuf_rd_addr = {{(IBUF_AW-IA_W){1'b0}}, rd_addr_reg};
    end else begin : g_ibuf_addr
        assign ibuf_wr_addr = wr_addr_reg;
        assign ibuf_rd_addr = rd_addr_reg;
    end
endgenerate

// global clock enable of the compute pipeline: a register of the output skid (rtlgen_skid)
reg m_valid_reg = 1'b0;
wire ce;

wire wr_en = s_axis_tvalid && s_ready_reg;
wire wr_done = wr_en && wr_sf_reg == SF_LAST;
wire issue = ce && full_reg[rd_bank_reg];
wire issue_sf_last = rd_sf_reg == SF_LAST;
wire rd_done = issue && issue_sf_last && rd_nf_reg == NF_LAST;

// the bank the read side uses after this fold's last beat: the other one when the vector is done
wire [IA_W-1:0] rd_bank_base = (rd_bank_reg ^ rd_done) ? SF_BASE : {IA_W{1'b0}};

// (x - IN_ZP) for every input element, 9-bit two's complement (exact for valid zero points)
wire [SIMD*XD-1:0] x_diff;

genvar g;
generate
    for (g = 0; g < SIMD; g = g + 1) begin : in_diff
        wire [IN_BITS-1:0] x = s_axis_tdata[g*IN_BITS +: IN_BITS];
        wire [XD-1:0] x_ext = {(IN_SIGNED != 0) & x[IN_BITS-1], x};
        assign x_diff[g*XD +: XD] = x_ext - IN_ZP_X;
    end
endgenerate

wire [1:0] full_set = wr_done ? (wr_bank_reg ? 2'b10 : 2'b01) : 2'b00;
wire [1:0] full_clr = rd_done ? (rd_bank_reg ? 2'b10 : 2'b01) : 2'b00;
wire [1:0] full_next = (full_reg | full_set) & ~full_clr;
wire wr_bank_next = wr_bank_reg ^ wr_done;

always @(posedge clk) begin
    if (wr_en) begin
        wr_sf_reg <= wr_done ? {SF_W{1'b0}} : wr_sf_reg + 1'b1;
        wr_addr_reg <= (wr_addr_reg == IA_LAST) ? {IA_W{1'b0}} : wr_addr_reg + 1'b1;
    end
    wr_bank_reg <= wr_bank_next;
    full_reg <= full_next;
    s_ready_reg <= !full_next[wr_bank_next];

    if (issue) begin
        rd_sf_reg <= issue_sf_last ? {SF_W{1'b0}} : rd_sf_reg + 1'b1;
        rd_addr_reg <= issue_sf_last ? rd_bank_base : rd_addr_reg + 1'b1;
        if (issue_sf_last) begin
            rd_nf_reg <= rd_nf_reg == NF_LAST ? {NF_W{1'b0}} : rd_nf_reg + 1'b1;
        end
        w_addr_reg <= w_addr_reg == WA_LAST ? {WA_W{1'b0}} : w_addr_reg + 1'b1;
    end
    rd_bank_reg <= rd_bank_reg ^ rd_done;

    if (rst) begin
        full_reg <= 2'b00;
        wr_bank_reg <= 1'b0;
        wr_sf_reg <= {SF_W{1'b0}};
        wr_addr_reg <= {IA_W{1'b0}};
        rd_addr_reg <= {IA_W{1'b0}};
        s_ready_reg <= 1'b0;
        rd_bank_reg <= 1'b0;
        rd_sf_reg <= {SF_W{1'b0}};
        rd_nf_reg <= {NF_W{1'b0}};
        w_addr_reg <= {WA_W{1'b0}};
    end
end

always @(posedge clk) begin
    if (wr_en) begin
        ibuf[ibuf_wr_addr] <= x_diff;
    end
end

// control pipeline: valid, first fold (sf == 0), last fold (sf == SF-1)
reg [DEPTH-1:0] valid_pipe = {DEPTH{1'b0}};
reg [DEPTH-1:0] first_pipe = {DEPTH{1'b0}};
reg [DEPTH-1:0] last_pipe = {DEPTH{1'b0}};

always @(posedge clk) begin
    if (ce) begin
        valid_pipe <= {valid_pipe[DEPTH-2:0], issue};
        first_pipe <= {first_pipe[DEPTH-2:0], rd_sf_reg == {SF_W{1'b0}}};
        last_pipe <= {last_pipe[DEPTH-2:0], issue_sf_last};
    end
    if (rst) begin
        valid_pipe <= {DEPTH{1'b0}};
    end
end

// Data stage k loads only when stage k-1 holds a valid fold (valid_pipe[k-1]; stage 1 on
// issue): registers of idle stages keep their value, which only valid folds are read from. The
// enables cost one AND per stage; they spare toggling (power) and let Verilator skip the
// computation of idle stages, which dominates the simulation of a network.
wire [DEPTH-1:0] stage_en = {valid_pipe[DEPTH-2:0], issue} & {DEPTH{ce}};

/*
 * Stage 1: memory reads (the weight ROM's read register w_rd1_reg is written in its generate
 * branch, nothing between the ROM and it); stage 2: memory output registers
 */
reg [SIMD*XD-1:0] x_rd1_reg;
reg [SIMD*XD-1:0] x_rd_reg;
// stage 2 weights (banked ROM: the selected bank's output register)
wire [PE*SIMD*8-1:0] w_rd;

generate
    if (MEM_STYLE == 1) begin : g_rom_lut
        // LUT ROM. Vivado: rom_style "distributed"; Quartus: MLAB. Yosys reads rom_block before
        // rom_style and builds the ROM from LUTs ("logic": its Xilinx / ECP5 LUT RAM maps take no
        // ROMs, rom_style "distributed" alone stops synth_xilinx with "no valid mapping").
        (* rom_block = "logic" *) (* rom_style = "distributed" *) (* ramstyle = "MLAB" *)
        reg [PE*SIMD*8-1:0] wrom [0:NF*SF-1];
        reg [PE*SIMD*8-1:0] w_rd1_reg;
        reg [PE*SIMD*8-1:0] w_rd_reg;
        initial begin
            if (WEIGHT_FILE != "") begin
                $readmemh(WEIGHT_FILE, wrom);
            end
        end
        always @(posedge clk) begin
            if (stage_en[0]) begin
                w_rd1_reg <= wrom[w_addr_reg];
            end
            if (stage_en[1]) begin
                w_rd_reg <= w_rd1_reg;
            end
        end
        assign w_rd = w_rd_reg;
    end else if (ROM_BANKS == 1) begin : g_rom_block
        (* rom_style = "block" *) (* ramstyle = "M10K" *)
        reg [PE*SIMD*8-1:0] wrom [0:ROM_WORDS-1];
        wire [ROM_AW-1:0] rom_addr;
        if (ROM_AW > WA_W) begin : g_addr_ext
            assign rom_addr = {{(ROM_AW-WA_W){1'b0}}, w_addr_reg};
        end else begin : g_addr
            assign rom_addr = w_addr_reg;
        end
        reg [PE*SIMD*8-1:0] w_rd1_reg;
        reg [PE*SIMD*8-1:0] w_rd_reg;
        initial begin
            if (WEIGHT_FILE != "") begin
                $readmemh(WEIGHT_FILE, wrom);
            end
        end
        always @(posedge clk) begin
            if (stage_en[0]) begin
                w_rd1_reg <= wrom[rom_addr];
            end
            if (stage_en[1]) begin
                w_rd_reg <= w_rd1_reg;
            end
        end
        assign w_rd = w_rd_reg;
    end else begin : g_rom_banks
        // bank select of the word in stage 1 and stage 2
        reg [BANK_SW-1:0] bank_1_reg;
        reg [BANK_SW-1:0] bank_2_reg;
        wire [PE*SIMD*8-1:0] bank_rd [0:ROM_BANKS-1];
        genvar b;
        for (b = 0; b < ROM_BANKS; b = b + 1) begin : bank
            localparam [7:0] D2 = 8'd48 + b / 100;
            localparam [7:0] D1 = 8'd48 + (b / 10) % 10;
            localparam [7:0] D0 = 8'd48 + b % 10;
            (* rom_style = "block" *) (* ramstyle = "M10K" *)
            reg [PE*SIMD*8-1:0] wrom [0:ROM_BANK_WORDS-1];
            reg [PE*SIMD*8-1:0] w_rd1_reg;
            reg [PE*SIMD*8-1:0] w_rd_reg;
            initial begin
                $readmemh({WEIGHT_BANK_PREFIX, "_bank", D2, D1, D0, ".mem"}, wrom);
            end
            always @(posedge clk) begin
                if (stage_en[0]) begin
                    w_rd1_reg <= wrom[w_addr_reg[BANK_AW-1:0]];
                end
                if (stage_en[1]) begin
                    w_rd_reg <= w_rd1_reg;
                end
            end
            assign bank_rd[b] = w_rd_reg;
        end
        always @(posedge clk) begin
            if (stage_en[0]) begin
                bank_1_reg <= w_addr_reg[WA_W-1:BANK_AW];
            end
            if (stage_en[1]) begin
                bank_2_reg <= bank_1_reg;
            end
        end
        assign w_rd = bank_rd[bank_2_reg];
    end
endgenerate

always @(posedge clk) begin
    if (stage_en[0]) begin
        x_rd1_reg <= ibuf[ibuf_rd_addr];
    end
    if (stage_en[1]) begin
        x_rd_reg <= x_rd1_reg;
    end
end

// Stage 2b (ROM_SEL): the weight word selected from the banks (w_rd is the multiplexer of the
// bank registers); the inputs keep pace. w_src / x_src feed the operands.
wire [PE*SIMD*8-1:0] w_src;
wire [SIMD*XD-1:0] x_src;

generate
    if (ROM_SEL != 0) begin : g_rom_sel
        reg [PE*SIMD*8-1:0] w_sel_reg;
        reg [SIMD*XD-1:0] x_sel_reg;
        always @(posedge clk) begin
            if (stage_en[2]) begin
                w_sel_reg <= w_rd;
                x_sel_reg <= x_rd_reg;
            end
        end
        assign w_src = w_sel_reg;
        assign x_src = x_sel_reg;
    end else begin : g_rom_direct
        assign w_src = w_rd;
        assign x_src = x_rd_reg;
    end
endgenerate

/*
 * Stage 3 (4 with ROM_SEL): operands (x - IN_ZP already stored; w - W_ZP here), in fabric
 * registers or (HARD_MUL) in the multipliers' own operand registers
 */
// split_var: Verilator keeps each operand (and each adder tree node below) in a variable of its
// own instead of masking it in and out of one wide vector (a comment for other tools)
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off UNDRIVEN */
reg [SIMD*XD-1:0] x_op_reg /*verilator split_var*/;
reg [PE*SIMD*9-1:0] w_op_reg /*verilator split_var*/;
/* verilator lint_on UNDRIVEN */
/* verilator lint_on UNUSEDSIGNAL */

generate
    if (HARD_MUL == 0) begin : g_op_regs
        for (g = 0; g < PE*SIMD; g = g + 1) begin : w_sub
            wire [7:0] w = w_src[g*8 +: 8];
            // computed in the clocked block: Verilator evaluates it only when the stage loads
            always @(posedge clk) begin
                if (stage_en[OPS]) begin
                    w_op_reg[g*9 +: 9] <= {(W_SIGNED != 0) & w[7], w} - W_ZP_9;
                end
            end
        end

        // one register per input element (split_var): a product reads its operand without
        // taking it out of a wide vector, and there are PE products per element
        for (g = 0; g < SIMD; g = g + 1) begin : x_lane
            always @(posedge clk) begin
                if (stage_en[OPS]) begin
                    x_op_reg[g*XD +: XD] <= x_src[g*XD +: XD];
                end
            end
        end
    end
endgenerate

/*
 * Stage 4 .. 4+LEVELS: products and adder tree per PE; stage 5+LEVELS: accumulators
 */
reg [PE*ACC_BITS-1:0] acc_reg;

wire acc_en = ce && valid_pipe[DEPTH-1];
wire acc_first = first_pipe[DEPTH-1];

generate
    for (g = 0; g < PE; g = g + 1) begin : pe
        // level 0: the SIMD registered products; levels 1 .. LEVELS: the registered nodes above
        // them, level after level (node i of level l at tree_reg[(tree_offset(l) + i - SIMD)*SB
        // +: SB]). Each node reads its inputs straight from prod or tree_reg: Verilator cannot
        // split a vector concatenated from both, and packing every node into one wide vector
        // each cycle was a quarter of LeNet's simulation time.
        wire [SIMD*SB-1:0] prod /*verilator split_var*/;
        // (with SIMD = 1 there is no level above the product: tree_reg is a placeholder)
        /* verilator lint_off UNUSEDSIGNAL */
        /* verilator lint_off UNDRIVEN */
        reg [TREE_REG_NODES*SB-1:0] tree_reg /*verilator split_var*/;
        /* verilator lint_on UNDRIVEN */
        /* verilator lint_on UNUSEDSIGNAL */

        genvar l, i;
        for (i = 0; i < SIMD; i = i + 1) begin : mul
            if (HARD_MUL != 0) begin : g_hard
                // operand registers on stage 3 (stage_en[OPS]), product register on stage 4
                wire [7:0] w = w_src[(g*SIMD + i)*8 +: 8];
                wire [8:0] w_diff = {(W_SIGNED != 0) & w[7], w} - W_ZP_9;
                wire signed [XD+8:0] p;
                /* verilator lint_off WIDTH */
                wire signed [SB-1:0] p_ext = p;  // signed to wider signed: sign extension
                /* verilator lint_on WIDTH */
                rtlgen_mul #(
                    .A_BITS(XD),
                    .B_BITS(9)
                ) u_mul (
                    .clk(clk),
                    .ce(stage_en[OPS]),
                    .ce_p(stage_en[OPS + 1]),
                    .a(x_src[i*XD +: XD]),
                    .b(w_diff),
                    .p(p)
                );
                assign prod[i*SB +: SB] = p_ext;
            end else if (MULT_STYLE == 1) begin : g_lut
                wire signed [XD-1:0] a = x_op_reg[i*XD +: XD];
                wire signed [8:0] b = w_op_reg[(g*SIMD + i)*9 +: 9];
                // b = -b[8]*2^8 + sum b[k]*2^k: eight added partial products, one subtracted
                (* use_dsp = "no" *) wire [XD+8:0] pp [0:8];
                wire [XD+8:0] a_ext = {{9{a[XD-1]}}, a};
                genvar k;
                for (k = 0; k < 9; k = k + 1) begin : row
                    assign pp[k] = b[k] ? (a_ext << k) : {(XD+9){1'b0}};
                end
                wire signed [XD+8:0] sum_pp = pp[0] + pp[1] + pp[2] + pp[3] + pp[4] + pp[5] +
                                              pp[6] + pp[7] - pp[8];
                reg signed [SB-1:0] prod_reg;
                always @(posedge clk) begin
                    if (stage_en[OPS + 1]) begin
                        /* verilator lint_off WIDTH */
                        prod_reg <= sum_pp;  // signed to wider signed: sign extension
                        /* verilator lint_on WIDTH */
                    end
                end
                assign prod[i*SB +: SB] = prod_reg;
            end else begin : g_dsp
                wire signed [XD-1:0] a = x_op_reg[i*XD +: XD];
                wire signed [8:0] b = w_op_reg[(g*SIMD + i)*9 +: 9];
                // the XD x 9 product in a PW-bit context (signed operands: sign-extended), its
                // low SB bits registered (the same bits as an SB-bit context; synthesis drops
                // the unused high ones), computed in the clocked block so Verilator skips idle
                // cycles. PW is a C++ integer width: Verilator then multiplies without the
                // masks and second sign extensions of an SB-bit signed multiply, which made the
                // products a fifth of LeNet's simulation time.
                /* verilator lint_off UNUSEDSIGNAL */
                wire signed [PW-1:0] p_full = a * b;
                /* verilator lint_on UNUSEDSIGNAL */
                reg [SB-1:0] prod_reg;
                always @(posedge clk) begin
                    if (stage_en[OPS + 1]) begin
                        prod_reg <= p_full[SB-1:0];
                    end
                end
                assign prod[i*SB +: SB] = prod_reg;
            end
        end

        for (l = 1; l <= LEVELS; l = l + 1) begin : level
            for (i = 0; i < tree_nodes(l); i = i + 1) begin : node
                // node positions as parameters: constant when Verilator splits tree_reg. Inputs:
                // nodes 2i and 2i+1 of level l-1 (2i alone when it is that level's last node),
                // products at level 1, else tree_reg positions (SRC is negative at level 1,
                // where it is not used)
                localparam integer DST = tree_offset(l) + i - SIMD;
                localparam integer PAIR = (2*i + 1 < tree_nodes(l-1)) ? 1 : 0;
                localparam integer SRC = tree_offset(l-1) + 2*i - SIMD;
                if (l == 1) begin : g_products
                    always @(posedge clk) begin
                        if (stage_en[OPS + 2]) begin
                            if (PAIR != 0) begin
                                tree_reg[DST*SB +: SB] <= prod[2*i*SB +: SB] +
                                                          prod[(2*i + PAIR)*SB +: SB];
                            end else begin
                                tree_reg[DST*SB +: SB] <= prod[2*i*SB +: SB];
                            end
                        end
                    end
                end else begin : g_nodes
                    always @(posedge clk) begin
                        if (stage_en[OPS + 1 + l]) begin
                            if (PAIR != 0) begin
                                tree_reg[DST*SB +: SB] <= tree_reg[SRC*SB +: SB] +
                                                          tree_reg[(SRC + PAIR)*SB +: SB];
                            end else begin
                                tree_reg[DST*SB +: SB] <= tree_reg[SRC*SB +: SB];
                            end
                        end
                    end
                end
            end
        end

        // tree result, sign-extended or truncated to ACC_BITS
        // with ACC_BITS < SB the high bits are dropped on purpose (sums wrap modulo 2^ACC_BITS)
        /* verilator lint_off UNUSEDSIGNAL */
        wire [SB-1:0] sum;
        /* verilator lint_on UNUSEDSIGNAL */
        if (LEVELS > 0) begin : g_sum_tree
            assign sum = tree_reg[(TREE_ROOT - SIMD)*SB +: SB];
        end else begin : g_sum_product
            assign sum = prod[0 +: SB];
        end
        wire [ACC_BITS-1:0] sum_acc;
        if (ACC_BITS > SB) begin : sum_ext
            assign sum_acc = {{ACC_BITS-SB{sum[SB-1]}}, sum};
        end else begin : sum_trunc
            assign sum_acc = sum[ACC_BITS-1:0];
        end

        always @(posedge clk) begin
            if (acc_en) begin
                acc_reg[g*ACC_BITS +: ACC_BITS] <= acc_first ? sum_acc :
                    acc_reg[g*ACC_BITS +: ACC_BITS] + sum_acc;
            end
        end
    end
endgenerate

always @(posedge clk) begin
    if (ce) begin
        m_valid_reg <= valid_pipe[DEPTH-1] && last_pipe[DEPTH-1];
    end
    if (rst) begin
        m_valid_reg <= 1'b0;
    end
end

// the accumulators are the pipeline's output register
rtlgen_skid #(
    .WIDTH(PE*ACC_BITS)
) u_skid (
    .clk(clk),
    .rst(rst),
    .ce(ce),
    .s_data(acc_reg),
    .s_valid(m_valid_reg),
    .m_axis_tdata(m_axis_tdata),
    .m_axis_tvalid(m_axis_tvalid),
    .m_axis_tready(m_axis_tready)
);

assign s_axis_tready = s_ready_reg;


endmodule

`resetall
