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
 * Pipeline: 8 stages (parameter read, bias add, left shift, multiply, SRDHM rounding, shift,
 * round + zero point, clamp), 1 beat per cycle. All stages share one clock enable
 * (!m_axis_tvalid || m_axis_tready), which is also s_axis_tready: a stall-able pipeline with
 * a combinational ready path, as allowed by docs/rtl-architecture.md.
 */
module rtlgen_requant #
(
    // Lanes per beat (divides CHANNELS)
    parameter PE = 1,
    // Number of channels, i.e. lines in PARAM_FILE (>= 1)
    parameter CHANNELS = 1,
    // Input accumulator width in bits (signed, 2..32), sign-extended to 32 bits
    parameter ACC_BITS = 32,
    // $readmemh file of CHANNELS/PE words of PE x 72 bits {bias, multiplier, shift} ("" = none)
    parameter PARAM_FILE = "",
    // Output zero point (int8: -128..127, uint8: 0..255)
    parameter OUT_ZP = 0,
    // Lower clamp bound (activation range, inside the output type)
    parameter ACT_MIN = -128,
    // Upper clamp bound (activation range, inside the output type, >= ACT_MIN)
    parameter ACT_MAX = 127,
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
    input  wire                      s_axis_tvalid,
    output wire                      s_axis_tready,

    /*
     * Activation output
     */
    output wire [PE*8-1:0]           m_axis_tdata,
    output wire                      m_axis_tvalid,
    input  wire                      m_axis_tready
);

localparam GROUPS = CHANNELS / PE;
localparam GA_W = GROUPS > 1 ? $clog2(GROUPS) : 1;
localparam STAGES = 8;

localparam [31:0] LAST_GROUP_32 = GROUPS - 1;
localparam [GA_W-1:0] LAST_GROUP = LAST_GROUP_32[GA_W-1:0];

localparam [31:0] OUT_ZP_32 = OUT_ZP;
localparam [31:0] ACT_MIN_32 = ACT_MIN;
localparam [31:0] ACT_MAX_32 = ACT_MAX;

// 34-bit sign-extended constants (wires: Verilator rejects concatenations of parameters)
wire [31:0] out_zp_32 = OUT_ZP_32;
wire [31:0] act_min_32 = ACT_MIN_32;
wire [31:0] act_max_32 = ACT_MAX_32;
wire [33:0] out_zp_34 = {{2{out_zp_32[31]}}, out_zp_32};
wire [33:0] act_min_34 = {{2{act_min_32[31]}}, act_min_32};
wire [33:0] act_max_34 = {{2{act_max_32[31]}}, act_max_32};

// bad parameters
initial begin
`ifndef SYNTHESIS
    if (PE < 1 || CHANNELS < 1 || CHANNELS % PE != 0) begin
        $error("%m: PE (%0d) must divide CHANNELS (%0d)", PE, CHANNELS);
        $finish;
    end
    if (ACC_BITS < 2 || ACC_BITS > 32) begin
        $error("%m: ACC_BITS (%0d) must be 2..32", ACC_BITS);
        $finish;
    end
    if ((OUT_SIGNED != 0) ? (ACT_MIN < -128 || ACT_MAX > 127 || OUT_ZP < -128 || OUT_ZP > 127)
                          : (ACT_MIN < 0 || ACT_MAX > 255 || OUT_ZP < 0 || OUT_ZP > 255)) begin
        $error("%m: OUT_ZP (%0d), ACT_MIN (%0d), ACT_MAX (%0d) outside the output type",
               OUT_ZP, ACT_MIN, ACT_MAX);
        $finish;
    end
    if (ROUNDING != 0 && ROUNDING != 1) begin
        $error("%m: ROUNDING (%0d) must be 0 (double) or 1 (single)", ROUNDING);
        $finish;
    end
    if (ACT_MIN > ACT_MAX) begin
        $error("%m: ACT_MIN (%0d) > ACT_MAX (%0d)", ACT_MIN, ACT_MAX);
        $finish;
    end
`endif
end

// parameter ROM: one word of PE x 72 bits per channel group, one synchronous read port
(* rom_style = "block" *) (* ramstyle = "M10K" *)
reg [PE*72-1:0] prm_rom [0:GROUPS-1];

initial begin
    if (PARAM_FILE != "") begin
        $readmemh(PARAM_FILE, prm_rom);
    end
end

// common clock enable: the output register is empty or being emptied
reg [STAGES-1:0] valid_pipe = {STAGES{1'b0}};
wire ce = !valid_pipe[STAGES-1] || m_axis_tready;
wire accept = ce && s_axis_tvalid;

// channel group of the next input beat, and the parameters of the beat in stage 1
reg [GA_W-1:0] group_reg = {GA_W{1'b0}};
reg [PE*72-1:0] prm_word_1;

always @(posedge clk) begin
    if (ce) begin
        valid_pipe <= {valid_pipe[STAGES-2:0], s_axis_tvalid};
    end
    if (ce) begin
        prm_word_1 <= prm_rom[group_reg];
    end
    if (accept) begin
        group_reg <= (GROUPS == 1 || group_reg == LAST_GROUP) ? {GA_W{1'b0}} : group_reg + 1'b1;
    end
    if (rst) begin
        valid_pipe <= {STAGES{1'b0}};
        group_reg <= {GA_W{1'b0}};
    end
end

genvar p;
generate
    for (p = 0; p < PE; p = p + 1) begin : lane
        wire [ACC_BITS-1:0] acc_in = s_axis_tdata[p*ACC_BITS +: ACC_BITS];

        // stage 1: input and parameters
        reg [31:0] acc_1;
        wire [71:0] prm_1 = prm_word_1[p*72 +: 72];
        // stage 2: bias added, shift decoded
        reg [31:0] x_2;
        reg [31:0] m_2;
        reg [5:0] l_2;   // left shift 0..32 (32 = everything shifted out)
        reg [4:0] r_2;   // right shift 0..31
        reg [5:0] t_2;   // single rounding: total right shift 31 - shift (1..62)
        // stage 3: left-shifted multiplicand
        reg [31:0] a_3;
        reg [31:0] m_3;
        reg [4:0] r_3;
        reg [5:0] t_3;
        // stage 4: product bits [63:30] (the lower bits cannot affect SRDHM, see below)
        reg [33:0] prod_4;
        reg sat_4;
        reg [4:0] r_4;
        reg [63:0] prod64_4;   // single rounding: the whole product
        reg [5:0] t_4;
        // stage 5: SRDHM result
        reg [31:0] b_5;
        reg [4:0] r_5;
        reg [63:0] sum64_5;    // single rounding: product + 2^(t-1)
        reg [5:0] t_5;
        // stage 6: RDBPOT parts
        reg [31:0] q_6;
        reg [31:0] rem_6;
        reg [31:0] thr_6;
        // stage 7: rounded + zero point, exact (34 bits)
        reg [33:0] y_7;
        // stage 8: clamped output
        reg [7:0] out_8;

        wire [7:0] sh_1 = prm_1[7:0];
        wire [7:0] sh_neg_1 = -sh_1;

        // SRDHM: truncating (p + nudge) / 2^31 equals floor((p + 2^30) / 2^31) for both signs
        // (nudge = 2^30 for p >= 0, 1 - 2^30 for p < 0), i.e. floor((floor(p / 2^30) + 1) / 2):
        // only product bits [63:30] matter, and bits [32:1] of that plus one are the result
        // (it fits 32 bits except for INT32_MIN * INT32_MIN, which saturates).
        /* verilator lint_off UNUSEDSIGNAL */
        wire signed [63:0] prod_3 = $signed(a_3) * $signed(m_3);
        wire [33:0] rnd_4 = prod_4 + 34'd1;
        /* verilator lint_on UNUSEDSIGNAL */

        wire [31:0] mask_5 = ~(32'hffffffff << r_5);
        wire [63:0] round64_4 = 64'd1 << (t_4 - 6'd1);
        /* verilator lint_off UNUSEDSIGNAL */
        wire [63:0] single_5 = $signed(sum64_5) >>> t_5;   // fits 32 bits (TFLite's precondition)
        /* verilator lint_on UNUSEDSIGNAL */
        wire [33:0] q_6_ext = {{2{q_6[31]}}, q_6};
        wire [33:0] y_6 = q_6_ext + {33'd0, rem_6 > thr_6} + out_zp_34;

        always @(posedge clk) begin
            if (ce) begin
                // stage 1
                acc_1 <= {{32-ACC_BITS{acc_in[ACC_BITS-1]}}, acc_in};
                // stage 2
                x_2 <= acc_1 + prm_1[71:40];
                m_2 <= prm_1[39:8];
                l_2 <= sh_1[7] ? 6'd0 : (sh_1[6:5] != 2'b00 ? 6'd32 : {1'b0, sh_1[4:0]});
                r_2 <= !sh_1[7] ? 5'd0 : (sh_neg_1[7:5] != 3'b000 ? 5'd31 : sh_neg_1[4:0]);
                t_2 <= 6'd31 - sh_1[5:0];
                // stage 3
                a_3 <= (ROUNDING == 1) ? x_2 : (l_2[5] ? 32'd0 : x_2 << l_2[4:0]);
                m_3 <= m_2;
                r_3 <= r_2;
                t_3 <= t_2;
                // stage 4
                prod_4 <= prod_3[63:30];
                sat_4 <= a_3 == 32'h80000000 && m_3 == 32'h80000000;
                r_4 <= r_3;
                prod64_4 <= prod_3;
                t_4 <= t_3;
                // stage 5
                b_5 <= sat_4 ? 32'h7fffffff : rnd_4[32:1];
                r_5 <= r_4;
                sum64_5 <= prod64_4 + round64_4;
                t_5 <= t_4;
                // stage 6
                if (ROUNDING == 1) begin
                    q_6 <= single_5[31:0];
                    rem_6 <= 32'd0;
                    thr_6 <= 32'd0;
                end else begin
                    q_6 <= $signed(b_5) >>> r_5;
                    rem_6 <= b_5 & mask_5;
                    thr_6 <= (mask_5 >> 1) + {31'd0, b_5[31]};
                end
                // stage 7
                y_7 <= y_6;
                // stage 8
                if ($signed(y_7) < $signed(act_min_34)) begin
                    out_8 <= act_min_34[7:0];
                end else if ($signed(y_7) > $signed(act_max_34)) begin
                    out_8 <= act_max_34[7:0];
                end else begin
                    out_8 <= y_7[7:0];
                end
            end
        end

        assign m_axis_tdata[p*8 +: 8] = out_8;
    end
endgenerate

assign s_axis_tready = ce;
assign m_axis_tvalid = valid_pipe[STAGES-1];

endmodule

`resetall
