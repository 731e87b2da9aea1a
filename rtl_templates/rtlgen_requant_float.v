/*

rtlgen: per-channel requantizer, ONNX Runtime's float32 rule in integer logic

*/

// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Requantizer: int32 accumulators -> 8-bit activations, bit-exact with ONNX Runtime's CPU
 * kernels (QLinearConv, QGemm, QLinearMatMul; rtlgen::golden::requantize_onnxruntime,
 * docs/onnx-runtime-arithmetic.md):
 *
 *   x = acc + bias[c]                                   (int32; |x| < 2^24, see below)
 *   v = f32(f32(x) * S[c])                              (S[c] = MANT * 2^-SHIFT, a float32)
 *   y = clamp(round_half_even(v) + OUT_ZP, ACT_MIN, ACT_MAX)
 *
 * computed exactly with integers: P = |x| * MANT (48 bits, exact); f32 keeps the 24 leading
 * bits of P, rounded half to even at bit d = max(0, msb(P) - 23); then the result is rounded
 * half to even at bit SHIFT; the sign is applied last (both roundings are symmetric). f32(x) is
 * x itself for |x| < 2^24, which the generator guarantees from the layer's worst-case
 * accumulator and bias (it refuses the layer otherwise). Subnormal products (v < 2^-126) give
 * 0 either way.
 *
 * PARAM_FILE has CHANNELS/PE lines, one per group of PE channels; line g is PE*64 bits, lane p
 * (channel g*PE + p) at bits [p*64 +: 64] (lane PE-1 first in the hex text), each lane's word
 * {bias[31:0], MANT[23:0], SHIFT[7:0]}: MANT is the float32 significand with its hidden bit
 * (2^23..2^24-1, or 0 for a zero scale), SHIFT = 150 - biased exponent (0..255; the scale is
 * MANT / 2^SHIFT).
 *
 * Input:  PE lanes of ACC_BITS signed per beat; lane p of beat j is channel
 *         (j mod (CHANNELS/PE))*PE + p.
 * Output: PE elements of 8 bits per beat (element p at m_axis_tdata[p*8 +: 8]).
 *
 * Pipeline: 16 stages, 1 beat per cycle, one shared clock enable (!m_axis_tvalid ||
 * m_axis_tready, which is also s_axis_tready). Timing: |x| * MANT is rtlgen_mul_wide (two
 * 25x18 partial products, registered inputs and outputs, 3 stages); every other stage holds
 * at most one wide carry chain (bias add, negate, partial-product sums, comparisons, round-up
 * add with the sign, zero point add, clamp) or a barrel shift / priority encoder in LUTs.
 */
module rtlgen_requant_float #
(
    // Lanes per beat (divides CHANNELS)
    parameter PE = 1,
    // Number of channels, i.e. the channel groups x PE in PARAM_FILE (>= 1)
    parameter CHANNELS = 1,
    // Input accumulator width in bits (signed, 2..32), sign-extended to 32 bits
    parameter ACC_BITS = 32,
    // $readmemh file of CHANNELS/PE words of PE x 64 bits {bias, mantissa, shift} ("" = none)
    parameter PARAM_FILE = "",
    // Output zero point (int8: -128..127, uint8: 0..255)
    parameter OUT_ZP = 0,
    // Lower clamp bound (activation range, inside the output type)
    parameter ACT_MIN = -128,
    // Upper clamp bound (activation range, inside the output type, >= ACT_MIN)
    parameter ACT_MAX = 127,
    // Output type: 1 = int8, 0 = uint8
    parameter OUT_SIGNED = 1
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
localparam STAGES = 16;

localparam [31:0] LAST_GROUP_32 = GROUPS - 1;
localparam [GA_W-1:0] LAST_GROUP = LAST_GROUP_32[GA_W-1:0];

localparam [31:0] OUT_ZP_32 = OUT_ZP;
localparam [31:0] ACT_MIN_32 = ACT_MIN;
localparam [31:0] ACT_MAX_32 = ACT_MAX;

// 13-bit sign-extended constants: magnitudes are saturated to 1023, so y fits 13 bits
/* verilator lint_off UNUSEDSIGNAL */
wire [31:0] out_zp_32 = OUT_ZP_32;
wire [31:0] act_min_32 = ACT_MIN_32;
wire [31:0] act_max_32 = ACT_MAX_32;
/* verilator lint_on UNUSEDSIGNAL */
wire [12:0] out_zp_13 = out_zp_32[12:0];
wire [12:0] act_min_13 = act_min_32[12:0];
wire [12:0] act_max_13 = act_max_32[12:0];

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
    if (ACT_MIN > ACT_MAX) begin
        $error("%m: ACT_MIN (%0d) > ACT_MAX (%0d)", ACT_MIN, ACT_MAX);
        $finish;
    end
`endif
end

// parameter ROM: one word of PE x 64 bits per channel group, one synchronous read port
(* rom_style = "block" *) (* ramstyle = "M10K" *)
reg [PE*64-1:0] prm_rom [0:GROUPS-1];

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
reg [PE*64-1:0] prm_word_1;

always @(posedge clk) begin
    if (ce) begin
        valid_pipe <= {valid_pipe[STAGES-2:0], s_axis_tvalid};
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

// index of the most significant set bit of a 48-bit value (0 for 0)
function [5:0] msb48;
    input [47:0] v;
    integer i;
    begin
        msb48 = 6'd0;
        for (i = 0; i < 48; i = i + 1) begin
            if (v[i]) begin
                msb48 = i[5:0];
            end
        end
    end
endfunction

genvar p;
generate
    for (p = 0; p < PE; p = p + 1) begin : lane
        wire [ACC_BITS-1:0] acc_in = s_axis_tdata[p*ACC_BITS +: ACC_BITS];

        // stage 1: input; parameters being read
        reg [31:0] acc_1;
        // stage 2: parameter ROM output register
        reg [31:0] acc_2;
        reg [63:0] prm_2;
        // stage 3: bias added (bits 30:24 equal the sign by the generator's bound)
        /* verilator lint_off UNUSEDSIGNAL */
        reg [31:0] x_3;
        /* verilator lint_on UNUSEDSIGNAL */
        reg [23:0] mant_3;
        reg [7:0] shift_3;
        // stage 4: multiplier inputs (in rtlgen_mul_wide): |x| (24 bits by the generator's
        // bound), mantissa
        reg neg_4;
        reg [7:0] shift_4;
        // stages 5-7: the product in rtlgen_mul_wide; the side values travel alongside
        reg neg_5;
        reg [7:0] shift_5;
        reg neg_6;
        reg [7:0] shift_6;
        // stage 7: the exact product P
        wire [47:0] prod_7;
        reg neg_7;
        reg [7:0] shift_7;
        // stage 8: bits dropped by float32 (d = max(0, msb - 23))
        reg [47:0] prod_8;
        reg [4:0] d_8;
        reg neg_8;
        reg [7:0] shift_8;
        // stage 9: kept bits, dropped bits, half of the dropped weight; second shift s2
        reg [24:0] keep_9;
        reg [23:0] low_9;
        reg [23:0] half_9;
        reg signed [9:0] s2_9;   // SHIFT - d: right shift of the kept value (negative: left)
        reg neg_9;
        // stage 10: first rounding decision
        reg [24:0] keep_10;
        reg up1_10;
        reg signed [9:0] s2_10;
        reg neg_10;
        // stage 11: the float32 significand k (v = k * 2^-s2), shift amounts decoded
        reg [24:0] k_11;
        reg right_11;        // s2 > 0
        reg [4:0] rs_11;     // right shift, clamped to 31 (k < 2^25 then gives 0, no round-up)
        reg [3:0] ls_11;     // left shift, clamped to 10 (saturates)
        reg neg_11;
        // stage 12: quotient, remainder and half for the second rounding (right shifts), or
        // the left-shifted value
        reg [34:0] q_12;
        reg [30:0] rem_12;
        reg [30:0] half_12;
        reg right_12;
        reg neg_12;
        // stage 13: second rounding decision, saturation
        reg [9:0] q_13;
        reg up2_13;
        reg sat_13;
        reg neg_13;
        // stage 14: signed, rounded result, saturated to +-1023 (13 bits)
        reg [12:0] r_14;
        // stage 15: plus zero point
        reg [12:0] y_15;
        // stage 16: clamped output
        reg [7:0] out_16;

        wire [23:0] abs_3 = x_3[31] ? (~x_3[23:0] + 24'd1) : x_3[23:0];
        // |x| * MANT, both unsigned (zero-extended to signed 25 bits); inputs registered
        // (stage 4), product in stage 7
        /* verilator lint_off UNUSEDSIGNAL */
        wire [49:0] prod_mul;
        /* verilator lint_on UNUSEDSIGNAL */
        rtlgen_mul_wide #(.A_BITS(25), .B_BITS(25)) mul (
            .clk(clk), .ce(ce), .load(1'b1), .a({1'b0, abs_3}), .b({1'b0, mant_3}), .p(prod_mul)
        );
        assign prod_7 = prod_mul[47:0];

        wire [5:0] msb_7 = msb48(prod_7);
        wire [23:0] low_mask_8 = ~(24'hffffff << d_8);
        /* verilator lint_off UNUSEDSIGNAL */
        wire [47:0] keep_8 = prod_8 >> d_8;
        /* verilator lint_on UNUSEDSIGNAL */
        wire [30:0] rmask_11 = ~(31'h7fffffff << rs_11);
        wire [12:0] q_ext_13 = {3'd0, q_13};
        /* verilator lint_off UNUSEDSIGNAL */
        wire [5:0] d_7 = msb_7 - 6'd23;  // 1..24 when used
        /* verilator lint_on UNUSEDSIGNAL */

        always @(posedge clk) begin
            if (ce) begin
                // stage 1
                acc_1 <= {{32-ACC_BITS{acc_in[ACC_BITS-1]}}, acc_in};
                // stage 2
                acc_2 <= acc_1;
                prm_2 <= prm_word_1[p*64 +: 64];
                // stage 3
                x_3 <= acc_2 + prm_2[63:32];
                mant_3 <= prm_2[31:8];
                shift_3 <= prm_2[7:0];
                // stage 4
                neg_4 <= x_3[31];
                shift_4 <= shift_3;
                // stage 5
                neg_5 <= neg_4;
                shift_5 <= shift_4;
                // stage 6
                neg_6 <= neg_5;
                shift_6 <= shift_5;
                // stage 7
                neg_7 <= neg_6;
                shift_7 <= shift_6;
                // stage 8
                prod_8 <= prod_7;
                d_8 <= msb_7 > 6'd23 ? d_7[4:0] : 5'd0;
                neg_8 <= neg_7;
                shift_8 <= shift_7;
                // stage 9
                keep_9 <= keep_8[24:0];
                low_9 <= prod_8[23:0] & low_mask_8;
                half_9 <= d_8 == 5'd0 ? 24'd0 : 24'd1 << (d_8 - 5'd1);
                s2_9 <= $signed({2'b00, shift_8}) - $signed({5'd0, d_8});
                neg_9 <= neg_8;
                // stage 10: round half to even at bit d (nothing dropped when d = 0)
                keep_10 <= keep_9;
                up1_10 <= half_9 != 24'd0 && (low_9 > half_9 || (low_9 == half_9 && keep_9[0]));
                s2_10 <= s2_9;
                neg_10 <= neg_9;
                // stage 11
                k_11 <= keep_10 + {24'd0, up1_10};
                right_11 <= s2_10 > 10'sd0;
                rs_11 <= s2_10 > 10'sd31 ? 5'd31 : s2_10[4:0];
                ls_11 <= s2_10 >= 10'sd0 ? 4'd0 : (s2_10 < -10'sd10 ? 4'd10 : 4'd0 - s2_10[3:0]);
                neg_11 <= neg_10;
                // stage 12
                if (right_11) begin
                    q_12 <= {10'd0, k_11 >> rs_11};
                end else begin
                    q_12 <= {10'd0, k_11} << ls_11;
                end
                rem_12 <= {6'd0, k_11} & rmask_11;
                half_12 <= 31'd1 << (rs_11 - 5'd1);
                right_12 <= right_11;
                neg_12 <= neg_11;
                // stage 13: round half to even at bit SHIFT; |v| >= 1024 saturates
                q_13 <= q_12[9:0];
                up2_13 <= right_12 && (rem_12 > half_12 || (rem_12 == half_12 && q_12[0]));
                sat_13 <= q_12[34:10] != 25'd0;
                neg_13 <= neg_12;
                // stage 14: -(q + up) = ~q + !up, one adder either way
                if (sat_13) begin
                    r_14 <= neg_13 ? -13'sd1023 : 13'sd1023;
                end else if (neg_13) begin
                    r_14 <= ~q_ext_13 + {12'd0, !up2_13};
                end else begin
                    r_14 <= q_ext_13 + {12'd0, up2_13};
                end
                // stage 15
                y_15 <= r_14 + out_zp_13;
                // stage 16
                if ($signed(y_15) < $signed(act_min_13)) begin
                    out_16 <= act_min_13[7:0];
                end else if ($signed(y_15) > $signed(act_max_13)) begin
                    out_16 <= act_max_13[7:0];
                end else begin
                    out_16 <= y_15[7:0];
                end
            end
        end

        assign m_axis_tdata[p*8 +: 8] = out_16;
    end
endgenerate

assign s_axis_tready = ce;
assign m_axis_tvalid = valid_pipe[STAGES-1];

endmodule

`resetall
