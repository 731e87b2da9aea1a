/*

rtlgen: quantized elementwise ADD

*/

// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Elementwise ADD of two int8 / uint8 streams, bit-exact with TFLite's reference kernel
 * (gen/src/golden/golden_elementwise.cpp add(), rtlgen::multiply_by_quantized_multiplier):
 *
 *   sa  = MBQM((a - A_ZP) << LEFT_SHIFT, A_MULT, A_SHIFT)
 *   sb  = MBQM((b - B_ZP) << LEFT_SHIFT, B_MULT, B_SHIFT)
 *   out = clamp(MBQM(sa + sb, OUT_MULT, OUT_SHIFT) + OUT_ZP, ACT_MIN, ACT_MAX)
 *
 * MBQM(x, M, s) = RDBPOT(SRDHM(x << max(s, 0), M), max(-s, 0)) (32-bit wrapping left shift;
 * SRDHM rounds ties away from zero and saturates INT32_MIN * INT32_MIN; RDBPOT rounds ties
 * away from zero), the same arithmetic as rtlgen_requant ROUNDING 0. sa + sb wraps like int32
 * (it never does for TFLite's multipliers); "+ OUT_ZP" and the clamp are exact.
 * All multipliers and shifts are parameters, so every shift is wiring and every multiply is by
 * a constant.
 *
 * Streams: s_a_axis and s_b_axis carry N elements per beat (element i at tdata[i*8 +: 8]) and
 * are joined beat by beat: a pair moves when both are valid and the pipeline can accept it
 * (s_a_axis_tready = ce && s_b_axis_tvalid and vice versa; a ready depends on the other
 * stream's tvalid, never on its own). Output: N elements per beat on m_axis.
 *
 * Pipeline: 16 stages (input/zero point/left shift into the multiplier inputs; A and B
 * multiply in 3 stages: partial products, middle sum, product; SRDHM rounding; RDBPOT; rounded
 * terms; sum; output multiply in 3 stages; SRDHM rounding; RDBPOT; then in rtlgen_round_clamp
 * zero point, round, clamp), 1 beat per cycle, no stage holding more than one multiplier or one
 * wide carry chain, sharing one clock enable, a register of the output skid (rtlgen_skid): m_axis_tready reaches only the
 * skid register. Latency 16 cycles from the input handshake to the output beat being valid.
 */
module rtlgen_add #
(
    // Elements per beat, all three streams (>= 1)
    parameter N = 1,
    // Element type of both inputs and the output: 1 = int8, 0 = uint8
    parameter SIGNED = 1,
    // Zero point of input A (int8: -128..127, uint8: 0..255)
    parameter A_ZP = 0,
    // Zero point of input B (int8: -128..127, uint8: 0..255)
    parameter B_ZP = 0,
    // Output zero point (int8: -128..127, uint8: 0..255)
    parameter OUT_ZP = 0,
    // Common left shift of both inputs in bits (TFLite: 20 for 8-bit; 0..30)
    parameter LEFT_SHIFT = 20,
    // Input A multiplier M (32-bit signed; TFLite: 2^30..2^31-1, or 0)
    parameter A_MULT = 1073741824,
    // Input A shift (-31..31, positive = left)
    parameter A_SHIFT = 0,
    // Input B multiplier M (32-bit signed)
    parameter B_MULT = 1073741824,
    // Input B shift (-31..31, positive = left)
    parameter B_SHIFT = 0,
    // Output multiplier M (32-bit signed)
    parameter OUT_MULT = 1073741824,
    // Output shift (-31..31, positive = left)
    parameter OUT_SHIFT = -20,
    // Lower clamp bound (activation range, inside the element type)
    parameter ACT_MIN = -128,
    // Upper clamp bound (activation range, inside the element type, >= ACT_MIN)
    parameter ACT_MAX = 127
)
(
    input  wire                 clk,
    input  wire                 rst,

    /*
     * Input A
     */
    input  wire [N*8-1:0]       s_a_axis_tdata,
    input  wire                 s_a_axis_tvalid,
    output wire                 s_a_axis_tready,

    /*
     * Input B
     */
    input  wire [N*8-1:0]       s_b_axis_tdata,
    input  wire                 s_b_axis_tvalid,
    output wire                 s_b_axis_tready,

    /*
     * Sum
     */
    output wire [N*8-1:0]       m_axis_tdata,
    output wire                 m_axis_tvalid,
    input  wire                 m_axis_tready
);

localparam STAGES = 16;

// shifts split into the left part (before SRDHM) and the right part (RDBPOT exponent)
localparam A_LEFT = A_SHIFT > 0 ? A_SHIFT : 0;
localparam A_RIGHT = A_SHIFT > 0 ? 0 : -A_SHIFT;
localparam B_LEFT = B_SHIFT > 0 ? B_SHIFT : 0;
localparam B_RIGHT = B_SHIFT > 0 ? 0 : -B_SHIFT;
localparam OUT_LEFT = OUT_SHIFT > 0 ? OUT_SHIFT : 0;
localparam OUT_RIGHT = OUT_SHIFT > 0 ? 0 : -OUT_SHIFT;

/* verilator lint_off WIDTH */
localparam [31:0] A_MULT_32 = A_MULT;
localparam [31:0] B_MULT_32 = B_MULT;
localparam [31:0] OUT_MULT_32 = OUT_MULT;
localparam [31:0] A_ZP_32 = A_ZP;
localparam [31:0] B_ZP_32 = B_ZP;
// RDBPOT masks 2^R - 1
localparam [31:0] A_MASK = (64'd1 << A_RIGHT) - 64'd1;
localparam [31:0] B_MASK = (64'd1 << B_RIGHT) - 64'd1;
localparam [31:0] OUT_MASK = (64'd1 << OUT_RIGHT) - 64'd1;
/* verilator lint_on WIDTH */

// bad parameters
initial begin
`ifndef SYNTHESIS
    if (N < 1) begin
        $error("%m: N (%0d) must be >= 1", N);
        $finish;
    end
    if ((SIGNED != 0) ? (A_ZP < -128 || A_ZP > 127 || B_ZP < -128 || B_ZP > 127 ||
                         OUT_ZP < -128 || OUT_ZP > 127)
                      : (A_ZP < 0 || A_ZP > 255 || B_ZP < 0 || B_ZP > 255 ||
                         OUT_ZP < 0 || OUT_ZP > 255)) begin
        $error("%m: zero points A_ZP (%0d), B_ZP (%0d), OUT_ZP (%0d) outside the element type",
               A_ZP, B_ZP, OUT_ZP);
        $finish;
    end
    if ((SIGNED != 0) ? (ACT_MIN < -128 || ACT_MAX > 127) : (ACT_MIN < 0 || ACT_MAX > 255)) begin
        $error("%m: ACT_MIN (%0d), ACT_MAX (%0d) outside the element type", ACT_MIN, ACT_MAX);
        $finish;
    end
    if (ACT_MIN > ACT_MAX) begin
        $error("%m: ACT_MIN (%0d) > ACT_MAX (%0d)", ACT_MIN, ACT_MAX);
        $finish;
    end
    if (LEFT_SHIFT < 0 || LEFT_SHIFT > 30) begin
        $error("%m: LEFT_SHIFT (%0d) must be 0..30", LEFT_SHIFT);
        $finish;
    end
    if (A_SHIFT < -31 || A_SHIFT > 31 || B_SHIFT < -31 || B_SHIFT > 31 ||
        OUT_SHIFT < -31 || OUT_SHIFT > 31) begin
        $error("%m: A_SHIFT (%0d), B_SHIFT (%0d), OUT_SHIFT (%0d) must be -31..31",
               A_SHIFT, B_SHIFT, OUT_SHIFT);
        $finish;
    end
`endif
end

/*
 * MultiplyByQuantizedMultiplier building blocks (see rtlgen_requant.v)
 */

// SRDHM from product bits [63:30]: truncating (p + nudge) / 2^31 equals
// floor((floor(p / 2^30) + 1) / 2) for both signs, i.e. bits [32:1] of p[63:30] + 1; the only
// overflow is INT32_MIN * INT32_MIN (sat), which gives INT32_MAX.
function [31:0] srdhm_round;
    input [33:0] p_hi;
    input sat;
    /* verilator lint_off UNUSEDSIGNAL */
    reg [33:0] r;
    /* verilator lint_on UNUSEDSIGNAL */
    begin
        r = p_hi + 34'd1;
        srdhm_round = sat ? 32'h7fffffff : r[32:1];
    end
endfunction

// RDBPOT rounding increment: (x & mask) > (mask >> 1) + (x < 0), mask = 2^exponent - 1
function rdbpot_up;
    input [31:0] x;
    input [31:0] mask;
    begin
        rdbpot_up = (x & mask) > ((mask >> 1) + {31'd0, x[31]});
    end
endfunction

/*
 * Join and common clock enable
 */
reg [STAGES-1:0] valid_pipe = {STAGES{1'b0}};
wire ce;  // a register of the output skid (rtlgen_skid)
wire in_valid = s_a_axis_tvalid && s_b_axis_tvalid;

always @(posedge clk) begin
    if (ce) begin
        valid_pipe <= {valid_pipe[STAGES-2:0], in_valid};
    end
    if (rst) begin
        valid_pipe <= {STAGES{1'b0}};
    end
end

assign s_a_axis_tready = ce && s_b_axis_tvalid;
assign s_b_axis_tready = ce && s_a_axis_tvalid;
// the lanes' output registers, side by side
wire [N*8-1:0] out_all;

rtlgen_skid #(
    .WIDTH(N*8)
) u_skid (
    .clk(clk),
    .rst(rst),
    .ce(ce),
    .s_data(out_all),
    .s_valid(valid_pipe[STAGES-1]),
    .m_axis_tdata(m_axis_tdata),
    .m_axis_tvalid(m_axis_tvalid),
    .m_axis_tready(m_axis_tready)
);

genvar p;
generate
    for (p = 0; p < N; p = p + 1) begin : lane
        wire [7:0] a_in = s_a_axis_tdata[p*8 +: 8];
        wire [7:0] b_in = s_b_axis_tdata[p*8 +: 8];
        wire [31:0] a_ext = {{24{(SIGNED != 0) & a_in[7]}}, a_in};
        wire [31:0] b_ext = {{24{(SIGNED != 0) & b_in[7]}}, b_in};
        // (x - zp) << LEFT_SHIFT << left part of the shift, wrapping at 32 bits
        wire [31:0] a_diff = a_ext - A_ZP_32;
        wire [31:0] b_diff = b_ext - B_ZP_32;
        wire [31:0] a_sh = (a_diff << LEFT_SHIFT) << A_LEFT;
        wire [31:0] b_sh = (b_diff << LEFT_SHIFT) << B_LEFT;

        // stage 1: shifted inputs (multiplier input registers, in rtlgen_mul_wide)
        // stages 2-4: A and B products (mul[0], mul[1]); stage 5: SRDHM results
        reg [31:0] ba_5, bb_5;
        // stage 6: RDBPOT quotients and rounding increments
        reg [31:0] qa_6, qb_6;
        reg ua_6, ub_6;
        // stage 7: rounded sa, sb
        reg [31:0] ra_7, rb_7;
        // stage 8: sa + sb (wraps like int32), shifted by the output left shift (multiplier
        // input register, in rtlgen_mul_wide)
        wire [31:0] x_7 = (ra_7 + rb_7) << OUT_LEFT;
        // stages 9-11: output product (mul[2]); stage 12: SRDHM result
        reg [31:0] bo_12;
        // stage 13: RDBPOT quotient and rounding increment
        reg [31:0] qo_13;
        reg uo_13;
        // stage 14: the increment (zero point, increment and clamp: stages 14-16 in
        // rtlgen_round_clamp)
        reg uo_14;

        /*
         * The three 32x32 multiplies by constants (rtlgen_mul_wide: input registers, four
         * partial products, their sum; 4 stages). SRDHM needs product bits [63:30] only (the
         * lower bits cannot affect it).
         */
        genvar k;
        for (k = 0; k < 3; k = k + 1) begin : mul
            wire [31:0] x = (k == 0) ? a_sh : ((k == 1) ? b_sh : x_7);
            localparam [31:0] M = (k == 0) ? A_MULT_32 : ((k == 1) ? B_MULT_32 : OUT_MULT_32);
            wire [31:0] m_const = M;
            /* verilator lint_off UNUSEDSIGNAL */
            wire [63:0] prod;
            /* verilator lint_on UNUSEDSIGNAL */
            wire [33:0] prod_hi = prod[63:30];
            reg sat_x, sat_a, sat_b, sat;
            rtlgen_mul_wide #(.A_BITS(32), .B_BITS(32)) m (
                .clk(clk), .ce(ce), .load(1'b1), .a(x), .b(m_const), .p(prod)
            );
            always @(posedge clk) begin
                if (ce) begin
                    sat_x <= x == 32'h80000000 && M == 32'h80000000;
                    sat_a <= sat_x;
                    sat_b <= sat_a;
                    sat <= sat_b;
                end
            end
        end

        always @(posedge clk) begin
            if (ce) begin
                // stage 5
                ba_5 <= srdhm_round(mul[0].prod_hi, mul[0].sat);
                bb_5 <= srdhm_round(mul[1].prod_hi, mul[1].sat);
                // stage 6
                qa_6 <= $signed(ba_5) >>> A_RIGHT;
                qb_6 <= $signed(bb_5) >>> B_RIGHT;
                ua_6 <= rdbpot_up(ba_5, A_MASK);
                ub_6 <= rdbpot_up(bb_5, B_MASK);
                // stage 7
                ra_7 <= qa_6 + {31'd0, ua_6};
                rb_7 <= qb_6 + {31'd0, ub_6};
                // stage 12
                bo_12 <= srdhm_round(mul[2].prod_hi, mul[2].sat);
                // stage 13
                qo_13 <= $signed(bo_12) >>> OUT_RIGHT;
                uo_13 <= rdbpot_up(bo_12, OUT_MASK);
                // stage 14
                uo_14 <= uo_13;
            end
        end

        rtlgen_round_clamp #(
            .OUT_ZP(OUT_ZP),
            .ACT_MIN(ACT_MIN),
            .ACT_MAX(ACT_MAX)
        ) u_round_clamp (
            .clk(clk),
            .ce(ce),
            .q(qo_13),
            .up(uo_14),
            .out(out_all[p*8 +: 8])
        );
    end
endgenerate

endmodule

`resetall
