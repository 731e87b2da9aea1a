/*

rtlgen: per-channel requantizer

*/

// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Requantizer: int32 accumulators -> 8-bit activations, bit-exact with TFLite's reference
 * epilogue. ROUNDING = 0 (convolutions, MEAN: rtlgen::multiply_by_quantized_multiplier,
 * "double rounding"):
 *
 *   x = acc + bias[c]                                   (32-bit, wraps like int32)
 *   a = x << max(shift, 0)                              (32-bit, wraps)
 *   b = SRDHM(a, M) = round(a*M / 2^31), ties away from zero; INT32_MIN*INT32_MIN -> INT32_MAX
 *   r = RDBPOT(b, max(-shift, 0))                       (ties away from zero)
 *   y = clamp(r + OUT_ZP, ACT_MIN, ACT_MAX)             (exact, no int32 wrap), low 8 bits out
 *
 * ROUNDING = 1 (int8 FULLY_CONNECTED: rtlgen::multiply_by_quantized_multiplier_single):
 *
 *   y = clamp(((x * M + 2^(t-1)) >>> t) + OUT_ZP, ACT_MIN, ACT_MAX),  t = 31 - shift (1..62)
 *
 * PARAM_FILE has CHANNELS/PE lines, one per group of PE channels; line g is PE*72 bits, lane p
 * (channel g*PE + p) at bits [p*72 +: 72] (lane PE-1 first in the hex text), each lane's word
 * {bias[31:0], M[31:0], shift[7:0]}, shift two's complement, positive = left, valid range
 * -31..31 (right shifts beyond 31 are treated as 31, left shifts of 32 or more give a = 0).
 * One wide word per group keeps the ROM at one read port (PE read ports on a CHANNELS x 72 ROM
 * made Yosys' memory mapping run out of memory at PE = 15).
 *
 * Input:  PE lanes of ACC_BITS signed per beat; lane p of beat j is channel
 *         (j mod (CHANNELS/PE))*PE + p.
 * Output: PE elements of 8 bits per beat (element p at m_axis_tdata[p*8 +: 8]).
 *
 * Multiply width: a = x << max(shift, 0) is passed to the multiplier as MUL_BITS signed bits.
 * The generator sets MUL_BITS to the widest value a can take for any ACC_BITS input and the
 * ROM's bias and shift (so the 32-bit wrap never happens and the narrowing is exact); at
 * MUL_BITS <= 25 the a*M product takes two hard multipliers (DSP48E1 25x18) instead of four.
 * MUL_BITS = 32 is the general case (any bias and shift). MUL_CYCLES = 2 (MUL_BITS <= 25) puts
 * both partial products on one hard multiplier: the lane then takes a beat at most every second
 * cycle (s_axis_tready is low in the cycle after an accepted beat), for generators that serve
 * a stream whose beats come at most that often (one requantizer lane per DSP48E1).
 *
 * Several layers (LAYERS > 1; rtlgen_dwu_shared's one requantizer for the layers sharing its
 * array): every beat carries its layer's index on s_axis_tuser, which leaves with its result on
 * m_axis_tuser. Layer i has CHANNELS[i*32 +: 32] channels, its own channel-group counter and
 * its own OUT_ZP / ACT_MIN / ACT_MAX (field i of each, 32-bit two's complement); PARAM_FILE
 * holds the layers' words one after another, layer 0 first. LAYERS = 1 is the single-layer
 * requantizer above (the vector parameters are then plain 32-bit values, s_axis_tuser unused).
 *
 * Pipeline: 12 stages (parameter read, parameter register, bias add, left shift into the
 * multiplier input registers, the a*M product in 3 stages (rtlgen_mul_wide: partial products,
 * their sum), SRDHM rounding, shift, zero point + round-up decision, round, clamp), 1 beat per
 * cycle; no stage holds more than one multiplier or one wide carry chain. All stages share one
 * clock enable, a register of the output skid (rtlgen_skid), which is also s_axis_tready (at
 * MUL_CYCLES 1): no combinational path from m_axis_tready to anything but the skid register.
 */
module rtlgen_requant #
(
    // Lanes per beat (divides every layer's channels)
    parameter PE = 1,
    // Layers served (1..32); the layer of a beat is on s_axis_tuser
    parameter LAYERS = 1,
    // Channels of layer i at bits [i*32 +: 32] (>= 1; PARAM_FILE: their sum / PE lines)
    parameter [LAYERS*32-1:0] CHANNELS = 1,
    // Input accumulator width in bits (signed, 2..32), sign-extended to 32 bits
    parameter ACC_BITS = 32,
    // Signed width of (acc + bias) << max(shift, 0) for every input and ROM word (2..32; the
    // generator computes it; 32 = any)
    parameter MUL_BITS = 32,
    // Cycles per beat of the a*M multiply: 1, or 2 (one hard multiplier per lane; MUL_BITS <= 25;
    // one beat accepted at most every second cycle)
    parameter MUL_CYCLES = 1,
    // $readmemh file of sum(CHANNELS)/PE words of PE x 72 bits {bias, multiplier, shift}, layer 0
    // first ("" = none)
    parameter PARAM_FILE = "",
    // parameter ROM: 0 = block RAM, 1 = LUTs (distributed); chosen by the generator's resource
    // model (distributed_memory() in gen/src/resources/resource_model.cpp); with RTLGEN_ECP5 a
    // LUT ROM of more than 32 words is block RAM
    parameter MEM_STYLE = 0,
    // Output zero point of layer i at bits [i*32 +: 32] (int8: -128..127, uint8: 0..255)
    parameter [LAYERS*32-1:0] OUT_ZP = 0,
    // Lower clamp bound of layer i at bits [i*32 +: 32] (activation range, inside the output type)
    parameter [LAYERS*32-1:0] ACT_MIN = {LAYERS{32'hffffff80}},
    // Upper clamp bound of layer i at bits [i*32 +: 32] (inside the output type, >= ACT_MIN)
    parameter [LAYERS*32-1:0] ACT_MAX = {LAYERS{32'h0000007f}},
    // Output type: 1 = int8, 0 = uint8
    parameter OUT_SIGNED = 1,
    // Epilogue rounding: 0 = double (SRDHM then RDBPOT), 1 = single ((x*M + 2^(t-1)) >>> t)
    parameter ROUNDING = 0
)
(
    input  wire                      clk,
    input  wire                      rst,

    /*
     * Accumulator input
     */
    input  wire [PE*ACC_BITS-1:0]    s_axis_tdata,
    input  wire [$clog2(LAYERS > 1 ? LAYERS : 2)-1:0] s_axis_tuser,   // layer (LAYERS > 1)
    input  wire                      s_axis_tvalid,
    output wire                      s_axis_tready,

    /*
     * Activation output
     */
    output wire [PE*8-1:0]           m_axis_tdata,
    output wire [$clog2(LAYERS > 1 ? LAYERS : 2)-1:0] m_axis_tuser,   // layer of the beat (LAYERS > 1)
    output wire                      m_axis_tvalid,
    input  wire                      m_axis_tready
);

// ROM words (channel groups) before layer k: layer k's first word
function integer groups_before;
    input integer k;
    integer i;
    begin
        groups_before = 0;
        for (i = 0; i < k; i = i + 1)
            groups_before = groups_before + CHANNELS[i*32 +: 32] / PE;
    end
endfunction

// field i of a per-layer vector parameter, as a signed value
function integer field;
    input [LAYERS*32-1:0] v;
    input integer i;
    begin
        field = $signed(v[i*32 +: 32]);
    end
endfunction

localparam GROUPS = groups_before(LAYERS);
localparam GA_W = GROUPS > 1 ? $clog2(GROUPS) : 1;
localparam LW = LAYERS > 1 ? $clog2(LAYERS) : 1;
localparam STAGES = 12;
// The open ECP5 flow: declared 1024 words deep when wider than 18 bits, so that Yosys maps it in
// the DP16KD's 18-bit mode, whose output register rtlgen pnr absorbs (see rtlgen_mvu's ROM_WORDS).
`ifdef RTLGEN_ECP5
localparam ROM_WORDS = GROUPS <= 512 ? 1024 : GROUPS;
`else
localparam ROM_WORDS = GROUPS;
`endif
localparam ROM_AW = ROM_WORDS > 1 ? $clog2(ROM_WORDS) : 1;
// The open ECP5 flow: a LUT ROM deeper than 32 words is several LUT4 levels with its address
// fanned out to every one of them (LeNet small's conv3_rq, 120 words of 72 bits: 8.4 ns, 6.1 ns
// of it routing, the design's critical path at 118.7 MHz on LFE5U-85F-6). There it is a
// block-RAM ROM: the address goes straight into the DP16KD, whose output register takes prm_2.
`ifdef RTLGEN_ECP5
localparam LUT_ROM = MEM_STYLE == 1 && GROUPS <= 32;
`else
localparam LUT_ROM = MEM_STYLE == 1;
`endif
// group counters side by side at a power-of-two stride, so that picking the beat's layer's
// counter is a shift, not a multiply by GA_W (which Yosys maps to a hard multiplier)
localparam GA_STRIDE = 1 << $clog2(GA_W);

// The output stages work on 12 bits: a quotient q outside [-1024, 1023] clamps whatever the
// zero point and round-up bit (q + OUT_ZP + 1 stays beyond [-128, 255]), so only its low 11
// bits and a flag travel on, and the zero point, round-up and clamp are 12-bit carry chains
// instead of 34-bit ones. Constants as 12-bit signed values (OUT_ZP, ACT_MIN, ACT_MAX lie in
// -128..255), picked by the layer of the beat in stage 9 (zero point) and 11 (clamp); the
// vectors as wires, as the tools reject part-selects of parameters by a variable.
/* verilator lint_off UNUSEDSIGNAL */
wire [LAYERS*32-1:0] out_zp_all = OUT_ZP;
wire [LAYERS*32-1:0] act_min_all = ACT_MIN;
wire [LAYERS*32-1:0] act_max_all = ACT_MAX;
/* verilator lint_on UNUSEDSIGNAL */

// bad parameters
integer chk;
initial begin
`ifndef SYNTHESIS
    if (LAYERS < 1 || LAYERS > 32) begin
        $error("%m: LAYERS (%0d) must be 1..32", LAYERS);
        $finish;
    end
    for (chk = 0; chk < LAYERS; chk = chk + 1) begin
        if (PE < 1 || field(CHANNELS, chk) < 1 || field(CHANNELS, chk) % PE != 0) begin
            $error("%m: PE (%0d) must divide CHANNELS of layer %0d (%0d)", PE, chk,
                   field(CHANNELS, chk));
            $finish;
        end
        if ((OUT_SIGNED != 0) ? (field(ACT_MIN, chk) < -128 || field(ACT_MAX, chk) > 127 ||
                                 field(OUT_ZP, chk) < -128 || field(OUT_ZP, chk) > 127)
                              : (field(ACT_MIN, chk) < 0 || field(ACT_MAX, chk) > 255 ||
                                 field(OUT_ZP, chk) < 0 || field(OUT_ZP, chk) > 255)) begin
            $error("%m: OUT_ZP (%0d), ACT_MIN (%0d), ACT_MAX (%0d) of layer %0d outside the output type",
                   field(OUT_ZP, chk), field(ACT_MIN, chk), field(ACT_MAX, chk), chk);
            $finish;
        end
        if (field(ACT_MIN, chk) > field(ACT_MAX, chk)) begin
            $error("%m: ACT_MIN (%0d) > ACT_MAX (%0d) of layer %0d", field(ACT_MIN, chk),
                   field(ACT_MAX, chk), chk);
            $finish;
        end
    end
    if (ACC_BITS < 2 || ACC_BITS > 32) begin
        $error("%m: ACC_BITS (%0d) must be 2..32", ACC_BITS);
        $finish;
    end
    if (MUL_BITS < 2 || MUL_BITS > 32) begin
        $error("%m: MUL_BITS (%0d) must be 2..32", MUL_BITS);
        $finish;
    end
    if (MUL_CYCLES != 1 && !(MUL_CYCLES == 2 && MUL_BITS <= 25)) begin
        $error("%m: MUL_CYCLES (%0d) must be 1, or 2 with MUL_BITS (%0d) <= 25",
               MUL_CYCLES, MUL_BITS);
        $finish;
    end
    if (ROUNDING != 0 && ROUNDING != 1) begin
        $error("%m: ROUNDING (%0d) must be 0 (double) or 1 (single)", ROUNDING);
        $finish;
    end
`endif
end

// parameter ROM: one word of PE x 72 bits per channel group, one synchronous read port

// common clock enable: a register of the output skid (rtlgen_skid), low while it holds a beat
reg [STAGES-1:0] valid_pipe = {STAGES{1'b0}};
wire ce;
// MUL_CYCLES = 2: no beat in the enabled cycle after an accepted one
reg took = 1'b0;
wire gap_ok = MUL_CYCLES == 1 || !took;
wire accept = ce && gap_ok && s_axis_tvalid;

// layer of the input beat and of the beat in each stage
/* verilator lint_off UNUSEDSIGNAL */
wire [LW-1:0] layer_in = LAYERS > 1 ? s_axis_tuser[LW-1:0] : {LW{1'b0}};
/* verilator lint_on UNUSEDSIGNAL */
reg [LW-1:0] layer_pipe [1:STAGES];

// channel group (ROM word) of the next input beat of each layer, and the parameters of the beat
// in stage 1
wire [LAYERS*GA_STRIDE-1:0] group_all;
wire [GA_W-1:0] group_reg = group_all[layer_in*GA_STRIDE +: GA_W];
reg [PE*72-1:0] prm_word_1;

genvar g;
generate
    for (g = 0; g < LAYERS; g = g + 1) begin : layer
        localparam [31:0] BASE_32 = groups_before(g);
        localparam [31:0] LAST_32 = groups_before(g + 1) - 1;
        localparam [GA_W-1:0] BASE = BASE_32[GA_W-1:0];
        localparam [GA_W-1:0] LAST = LAST_32[GA_W-1:0];
        reg [GA_W-1:0] group = BASE;
        always @(posedge clk) begin
            if (accept && layer_in == g) begin
                group <= group == LAST ? BASE : group + 1'b1;
            end
            if (rst) begin
                group <= BASE;
            end
        end
        if (GA_STRIDE > GA_W) begin : g_pad
            assign group_all[g*GA_STRIDE +: GA_STRIDE] = {{(GA_STRIDE-GA_W){1'b0}}, group};
        end else begin : g_fit
            assign group_all[g*GA_STRIDE +: GA_STRIDE] = group;
        end
    end
endgenerate

// parameter ROM, read into prm_word_1 (nothing between the ROM and it)
generate
    if (LUT_ROM) begin : g_rom_lut
        // LUT ROM. Vivado: rom_style "distributed"; Quartus: MLAB. Yosys reads rom_block before
        // rom_style and builds the ROM from LUTs ("logic": its Xilinx / ECP5 LUT RAM maps take no
        // ROMs, rom_style "distributed" alone stops synth_xilinx with "no valid mapping").
        (* rom_block = "logic" *) (* rom_style = "distributed" *) (* ramstyle = "MLAB" *)
        reg [PE*72-1:0] prm_rom [0:GROUPS-1];
        initial begin
            if (PARAM_FILE != "") begin
                $readmemh(PARAM_FILE, prm_rom);
            end
        end
        always @(posedge clk) begin
            if (ce) begin
                prm_word_1 <= prm_rom[group_reg];
            end
        end
    end else begin : g_rom_block
        (* rom_style = "block" *) (* ramstyle = "M10K" *)
        reg [PE*72-1:0] prm_rom [0:ROM_WORDS-1];
        wire [ROM_AW-1:0] rom_addr;
        if (ROM_AW > GA_W) begin : g_addr_ext
            assign rom_addr = {{(ROM_AW-GA_W){1'b0}}, group_reg};
        end else begin : g_addr
            assign rom_addr = group_reg;
        end
        initial begin
            if (PARAM_FILE != "") begin
                $readmemh(PARAM_FILE, prm_rom);
            end
        end
        always @(posedge clk) begin
            if (ce) begin
                prm_word_1 <= prm_rom[rom_addr];
            end
        end
    end
endgenerate

always @(posedge clk) begin
    if (ce) begin
        valid_pipe <= {valid_pipe[STAGES-2:0], s_axis_tvalid && gap_ok};
        took <= accept;
    end
    if (rst) begin
        valid_pipe <= {STAGES{1'b0}};
        took <= 1'b0;
    end
end

integer st;
always @(posedge clk) begin
    if (ce) begin
        layer_pipe[1] <= layer_in;
        for (st = 2; st <= STAGES; st = st + 1) begin
            layer_pipe[st] <= layer_pipe[st-1];
        end
    end
end

// the layer's zero point (stage 9 -> 10) and clamp bounds (stage 11 -> 12)
wire [11:0] out_zp_12 = out_zp_all[layer_pipe[9]*32 +: 12];
wire [11:0] act_min_12 = act_min_all[layer_pipe[11]*32 +: 12];
wire [11:0] act_max_12 = act_max_all[layer_pipe[11]*32 +: 12];

// the lanes' output registers, side by side
wire [PE*8-1:0] out_all;

genvar p;
generate
    for (p = 0; p < PE; p = p + 1) begin : lane
        wire [ACC_BITS-1:0] acc_in = s_axis_tdata[p*ACC_BITS +: ACC_BITS];

        // stage 1: input; parameters being read
        reg [31:0] acc_1;
        // stage 2: parameter ROM output register
        reg [31:0] acc_2;
        reg [71:0] prm_2;
        // stage 3: bias added, shift decoded
        reg [31:0] x_3;
        reg [31:0] m_3;
        reg [5:0] l_3;   // left shift 0..32 (32 = everything shifted out)
        reg [4:0] r_3;   // right shift 0..31
        reg [5:0] t_3;   // single rounding: total right shift 31 - shift (1..62)
        // stage 4: multiplier inputs (in rtlgen_mul_wide: a = MUL_BITS of the left-shifted
        // multiplicand, M)
        reg sat_4;
        reg [4:0] r_4;
        reg [5:0] t_4;
        // stages 5-7: the product in rtlgen_mul_wide; the side values travel alongside
        reg sat_5;
        reg [4:0] r_5;
        reg [5:0] t_5;
        reg sat_6;
        reg [4:0] r_6;
        reg [5:0] t_6;
        reg [63:0] round64_6;  // single rounding: 2^(t-1)
        // stage 7: the product, sign-extended to 64 bits
        wire [63:0] prod_7;
        reg sat_7;
        reg [4:0] r_7;
        reg [5:0] t_7;
        reg [63:0] round64_7;
        // stage 8: SRDHM result; single rounding: product + 2^(t-1)
        reg [31:0] b_8;
        reg [4:0] r_8;
        reg [63:0] sum64_8;
        reg [5:0] t_8;
        // stage 9: RDBPOT parts (quotient, remainder, threshold)
        reg [31:0] q_9;
        reg [31:0] rem_9;
        reg [31:0] thr_9;
        // stage 10: quotient (low 11 bits) + zero point, round-up bit, |q| >= 1024 and its sign
        reg [11:0] qz_10;
        reg up_10;
        reg big_10;
        reg neg_10;
        // stage 11: rounded + zero point, exact when !big_11 (12 bits)
        reg [11:0] y_11;
        reg big_11;
        reg neg_11;
        // stage 12: clamped output
        reg [7:0] out_12;

        wire [7:0] sh_2 = prm_2[7:0];
        wire [7:0] sh_neg_2 = -sh_2;

        // a * M on hard multipliers: inputs registered (stage 4), product in stage 7
        /* verilator lint_off UNUSEDSIGNAL */
        wire [31:0] a_shifted_3 = l_3[5] ? 32'd0 : x_3 << l_3[4:0];
        /* verilator lint_on UNUSEDSIGNAL */
        wire [MUL_BITS+31:0] prod_mul;
        wire [MUL_BITS-1:0] a_3 = (ROUNDING == 1) ? x_3[MUL_BITS-1:0] : a_shifted_3[MUL_BITS-1:0];
        rtlgen_mul_wide #(.A_BITS(MUL_BITS), .B_BITS(32), .CYCLES(MUL_CYCLES)) mul (
            .clk(clk), .ce(ce), .load(valid_pipe[2]), .a(a_3), .b(m_3), .p(prod_mul)
        );
        if (MUL_BITS < 32) begin : g_prod_ext
            assign prod_7 = {{(32-MUL_BITS){prod_mul[MUL_BITS+31]}}, prod_mul};
        end else begin : g_prod
            assign prod_7 = prod_mul;
        end

        // SRDHM: truncating (p + nudge) / 2^31 equals floor((p + 2^30) / 2^31) for both signs
        // (nudge = 2^30 for p >= 0, 1 - 2^30 for p < 0), i.e. floor((floor(p / 2^30) + 1) / 2):
        // only product bits [63:30] matter, and bits [32:1] of that plus one are the result
        // (it fits 32 bits except for INT32_MIN * INT32_MIN, which saturates).
        /* verilator lint_off UNUSEDSIGNAL */
        wire [33:0] rnd_7 = prod_7[63:30] + 34'd1;
        /* verilator lint_on UNUSEDSIGNAL */

        wire [31:0] mask_8 = ~(32'hffffffff << r_8);
        /* verilator lint_off UNUSEDSIGNAL */
        wire [63:0] single_8 = $signed(sum64_8) >>> t_8;   // fits 32 bits (TFLite's precondition)
        /* verilator lint_on UNUSEDSIGNAL */
        wire [11:0] q_9_low = {q_9[10], q_9[10:0]};

        always @(posedge clk) begin
            if (ce) begin
                // stage 1
                acc_1 <= {{32-ACC_BITS{acc_in[ACC_BITS-1]}}, acc_in};
                // stage 2
                acc_2 <= acc_1;
                prm_2 <= prm_word_1[p*72 +: 72];
                // stage 3
                x_3 <= acc_2 + prm_2[71:40];
                m_3 <= prm_2[39:8];
                l_3 <= sh_2[7] ? 6'd0 : (sh_2[6:5] != 2'b00 ? 6'd32 : {1'b0, sh_2[4:0]});
                r_3 <= !sh_2[7] ? 5'd0 : (sh_neg_2[7:5] != 3'b000 ? 5'd31 : sh_neg_2[4:0]);
                t_3 <= 6'd31 - sh_2[5:0];
                // stage 4
                // (only a 32-bit a can be INT32_MIN)
                sat_4 <= MUL_BITS == 32 && a_3 == {1'b1, {(MUL_BITS-1){1'b0}}} &&
                         m_3 == 32'h80000000;
                r_4 <= r_3;
                t_4 <= t_3;
                // stage 5
                sat_5 <= sat_4;
                r_5 <= r_4;
                t_5 <= t_4;
                // stage 6
                sat_6 <= sat_5;
                r_6 <= r_5;
                t_6 <= t_5;
                round64_6 <= 64'd1 << (t_5 - 6'd1);
                // stage 7
                sat_7 <= sat_6;
                r_7 <= r_6;
                t_7 <= t_6;
                round64_7 <= round64_6;
                // stage 8
                b_8 <= sat_7 ? 32'h7fffffff : rnd_7[32:1];
                r_8 <= r_7;
                sum64_8 <= prod_7 + round64_7;
                t_8 <= t_7;
                // stage 9
                if (ROUNDING == 1) begin
                    q_9 <= single_8[31:0];
                    rem_9 <= 32'd0;
                    thr_9 <= 32'd0;
                end else begin
                    q_9 <= $signed(b_8) >>> r_8;
                    rem_9 <= b_8 & mask_8;
                    thr_9 <= (mask_8 >> 1) + {31'd0, b_8[31]};
                end
                // stage 10
                qz_10 <= q_9_low + out_zp_12;
                up_10 <= rem_9 > thr_9;
                big_10 <= q_9[31:10] != {22{q_9[10]}};
                neg_10 <= q_9[31];
                // stage 11
                y_11 <= qz_10 + {11'd0, up_10};
                big_11 <= big_10;
                neg_11 <= neg_10;
                // stage 12
                if (big_11 ? neg_11 : $signed(y_11) < $signed(act_min_12)) begin
                    out_12 <= act_min_12[7:0];
                end else if (big_11 || $signed(y_11) > $signed(act_max_12)) begin
                    out_12 <= act_max_12[7:0];
                end else begin
                    out_12 <= y_11[7:0];
                end
            end
        end

        assign out_all[p*8 +: 8] = out_12;
    end
endgenerate

// the beat's layer travels beside its output (constant, and so removed, when LAYERS = 1)
/* verilator lint_off UNUSEDSIGNAL */
wire [LW+PE*8-1:0] skid_out;
/* verilator lint_on UNUSEDSIGNAL */

rtlgen_skid #(
    .WIDTH(LW+PE*8)
) u_skid (
    .clk(clk),
    .rst(rst),
    .ce(ce),
    .s_data({layer_pipe[STAGES], out_all}),
    .s_valid(valid_pipe[STAGES-1]),
    .m_axis_tdata(skid_out),
    .m_axis_tvalid(m_axis_tvalid),
    .m_axis_tready(m_axis_tready)
);

assign m_axis_tdata = skid_out[PE*8-1:0];
generate
    if (LAYERS > 1) begin : g_tuser
        assign m_axis_tuser = skid_out[PE*8 +: LW];
    end else begin : g_no_tuser
        assign m_axis_tuser = 1'b0;
    end
endgenerate

assign s_axis_tready = ce && gap_ok;

endmodule

`resetall
