// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * rtlgen_pool: average / max pooling over windows from rtlgen_swg (ORDER 1)
 *
 * Input: for each window and each chunk of SIMD channels, K_H*K_W beats (one tap each, (ky, kx)
 * order) of SIMD elements; s_axis_tuser = the tap lies inside the image (padding taps are
 * skipped); s_axis_tlast = last beat of the window (last chunk), passed to m_axis_tlast.
 * The module counts taps itself (K_H*K_W beats per chunk); tlast is not needed for framing.
 *
 * Output: one beat of SIMD elements per window chunk.
 *   MODE 0 (AVERAGE_POOL_2D): sum of the in-image taps, n = their count;
 *     IN_SIGNED = 1: (sum > 0 ? sum + n/2 : sum - n/2) / n with C truncation (halves away from
 *     zero); IN_SIGNED = 0: (sum + n/2) / n; then clamp to ACT_MIN .. ACT_MAX.
 *     The division is exact: |sum| + n/2 = u is multiplied by RECIP(n) = ceil(2^SH / n) and
 *     shifted right by SH, with 2^SH >= UMAX * K_H*K_W where UMAX bounds u; then
 *     u*RECIP/2^SH = u/n + u*e/(n*2^SH) with e = RECIP*n - 2^SH < n, and u*e < 2^SH keeps the
 *     floor equal to floor(u/n).
 *   MODE 1 (MAX_POOL_2D): maximum of the in-image taps, then clamp.
 *   A chunk without any in-image tap (not produced by TFLite paddings) gives 0 (average) or
 *   ACT_MIN (max).
 *
 * Latency: 6 cycles from the last tap beat of a chunk to its output beat (average: sum, |sum|,
 *   + n/2, reciprocal multiply, sign, clamp; one carry chain or multiplier per stage).
 * Throughput: one input beat per cycle; s_axis_tready = !m_axis_tvalid || m_axis_tready
 *   (the pipeline stalls as a whole).
 */
module rtlgen_pool #
(
    // 0 = average, 1 = max
    parameter MODE = 0,
    // channels of the pooled image (multiple of SIMD)
    parameter CHANNELS = 8,
    // channels (elements) per beat (divides CHANNELS)
    parameter SIMD = 4,
    // window height in taps (>= 1)
    parameter K_H = 3,
    // window width in taps (>= 1)
    parameter K_W = 3,
    // 1 = int8 elements, 0 = uint8 elements
    parameter IN_SIGNED = 1,
    // lower clamp of the output (activation range, -128 .. 255)
    parameter ACT_MIN = -128,
    // upper clamp of the output (activation range, ACT_MIN .. 255)
    parameter ACT_MAX = 127
)
(
    input  wire                 clk,
    input  wire                 rst,

    /*
     * Window taps (rtlgen_swg ORDER 1)
     */
    input  wire [SIMD*8-1:0]    s_axis_tdata,
    input  wire                 s_axis_tvalid,
    output wire                 s_axis_tready,
    input  wire                 s_axis_tlast,
    input  wire                 s_axis_tuser,

    /*
     * Pooled values, one beat per window chunk
     */
    output wire [SIMD*8-1:0]    m_axis_tdata,
    output wire                 m_axis_tvalid,
    input  wire                 m_axis_tready,
    output wire                 m_axis_tlast
);

localparam NT = K_H * K_W;
// tap counter and count widths
localparam TW = (NT > 1) ? $clog2(NT) : 1;
localparam NW = $clog2(NT + 1) + 1;
// sum of up to NT 9-bit signed values
localparam SUMW = 9 + $clog2(NT + 1);
// u = |sum| + n/2 <= UMAX
localparam UMAX = (IN_SIGNED != 0 ? 128 : 255) * NT + NT / 2;
localparam UW = $clog2(UMAX + 1);
// reciprocal shift: 2^SH >= UMAX * NT
localparam SH = $clog2(UMAX * NT);
localparam RCW = SH + 1;
localparam PW = UW + RCW;
localparam QW = PW - SH;
// clamp width
localparam CW = (QW + 2 > 10) ? QW + 2 : 10;

/* verilator lint_off WIDTH */
localparam [TW-1:0] NT_LAST = NT - 1;
localparam signed [CW-1:0] ACT_MIN_C = ACT_MIN;
localparam signed [CW-1:0] ACT_MAX_C = ACT_MAX;
localparam [7:0] ACT_MIN_8 = ACT_MIN[7:0];
localparam [7:0] ACT_MAX_8 = ACT_MAX[7:0];
/* verilator lint_on WIDTH */

initial begin
    if (MODE != 0 && MODE != 1) begin
        $error("%m: MODE must be 0 (average) or 1 (max)");
    end
    if (SIMD < 1 || CHANNELS % SIMD != 0) begin
        $error("%m: SIMD (%0d) must divide CHANNELS (%0d)", SIMD, CHANNELS);
    end
    if (K_H < 1 || K_W < 1) begin
        $error("%m: K_H and K_W must be >= 1");
    end
    if (SH > 30) begin
        $error("%m: window too large for the reciprocal division (K_H*K_W = %0d)", NT);
    end
    if (ACT_MIN > ACT_MAX || ACT_MIN < (IN_SIGNED != 0 ? -128 : 0) || ACT_MAX > (IN_SIGNED != 0 ? 127 : 255)) begin
        $error("%m: activation range %0d .. %0d outside the element type", ACT_MIN, ACT_MAX);
    end
end

reg  [TW-1:0] tap_reg = {TW{1'b0}};
reg  s1_valid_reg = 1'b0, s2_valid_reg = 1'b0, s3_valid_reg = 1'b0, s4_valid_reg = 1'b0;
reg  s5_valid_reg = 1'b0, m_valid_reg = 1'b0;
reg  s1_last_reg = 1'b0, s2_last_reg = 1'b0, s3_last_reg = 1'b0, s4_last_reg = 1'b0;
reg  s5_last_reg = 1'b0, m_last_reg = 1'b0;

wire en = !m_valid_reg || m_axis_tready;
wire s_fire = s_axis_tvalid && en;
wire first_tap = (tap_reg == {TW{1'b0}});
wire last_tap = (tap_reg == NT_LAST);

assign s_axis_tready = en;

always @(posedge clk) begin
    if (s_fire) begin
        tap_reg <= last_tap ? {TW{1'b0}} : tap_reg + 1'b1;
    end
    if (en) begin
        s1_valid_reg <= s_fire && last_tap;
        s1_last_reg <= s_axis_tlast;
        s2_valid_reg <= s1_valid_reg;
        s2_last_reg <= s1_last_reg;
        s3_valid_reg <= s2_valid_reg;
        s3_last_reg <= s2_last_reg;
        s4_valid_reg <= s3_valid_reg;
        s4_last_reg <= s3_last_reg;
        s5_valid_reg <= s4_valid_reg;
        s5_last_reg <= s4_last_reg;
        m_valid_reg <= s5_valid_reg;
        m_last_reg <= s5_last_reg;
    end
    if (rst) begin
        tap_reg <= {TW{1'b0}};
        s1_valid_reg <= 1'b0;
        s2_valid_reg <= 1'b0;
        s3_valid_reg <= 1'b0;
        s4_valid_reg <= 1'b0;
        s5_valid_reg <= 1'b0;
        m_valid_reg <= 1'b0;
    end
end

generate
    if (MODE == 0) begin : g_avg
        // reciprocal ceil(2^SH / n), n = 0 .. NT (elaboration-time table)
        /* verilator lint_off WIDTH */
        function [RCW-1:0] recip;
            input [NW-1:0] n;
            integer i;
            begin
                recip = {RCW{1'b0}};
                for (i = 1; i <= NT; i = i + 1) begin
                    if (n == i) begin
                        recip = ((1 << SH) + i - 1) / i;
                    end
                end
            end
        endfunction
        /* verilator lint_on WIDTH */

        // count of in-image taps including the current beat
        reg  [NW-1:0] n_reg = {NW{1'b0}};
        reg  [NW-1:0] s1_n_reg = {NW{1'b0}};
        reg  [NW-1:0] s2_n_reg = {NW{1'b0}};
        wire [NW-1:0] n_now = (first_tap ? {NW{1'b0}} : n_reg) + {{(NW-1){1'b0}}, s_axis_tuser};

        genvar l;
        for (l = 0; l < SIMD; l = l + 1) begin : g_lane
            wire [7:0] x = s_axis_tdata[l*8 +: 8];
            wire signed [SUMW-1:0] xv = s_axis_tuser ?
                $signed({{(SUMW-8){IN_SIGNED != 0 && x[7]}}, x}) : {SUMW{1'b0}};
            reg signed [SUMW-1:0] acc_reg = {SUMW{1'b0}};
            wire signed [SUMW-1:0] sum_now = (first_tap ? {SUMW{1'b0}} : acc_reg) + xv;

            reg signed [SUMW-1:0] s1_sum_reg = {SUMW{1'b0}};
            reg [UW-1:0] s2_mag_reg = {UW{1'b0}};
            reg s2_neg_reg = 1'b0;
            reg s3_neg_reg = 1'b0;
            reg s4_neg_reg = 1'b0;
            reg signed [CW-1:0] s5_avg_reg = {CW{1'b0}};
            reg [7:0] m_data_reg = 8'd0;

            // stage 2: |sum|; stage 3: u = |sum| + n/2 (fits UW bits by construction)
            /* verilator lint_off UNUSED */
            wire [SUMW-1:0] mag = s1_sum_reg[SUMW-1] ? -s1_sum_reg : s1_sum_reg;
            /* verilator lint_on UNUSED */
            wire [UW-1:0] u = s2_mag_reg + {{(UW-NW+1){1'b0}}, s2_n_reg[NW-1:1]};
            // stages 3 and 4: floor(u / n) = (u * recip) >> SH in rtlgen_mul (its operand
            // registers are stage 3, its product register stage 4; operands zero-extended)
            /* verilator lint_off UNUSEDSIGNAL */
            wire [PW+1:0] prod;
            /* verilator lint_on UNUSEDSIGNAL */
            rtlgen_mul #(
                .A_BITS(UW + 1),
                .B_BITS(RCW + 1)
            ) u_mul (
                .clk(clk),
                .ce(en),
                .ce_p(en),
                .a({1'b0, u}),
                .b({1'b0, recip(s2_n_reg)}),
                .p(prod)
            );
            wire [QW-1:0] s4_q = prod[PW-1:SH];
            // stage 5: sign; stage 6: clamp
            wire signed [CW-1:0] qs = $signed({{(CW-QW){1'b0}}, s4_q});
            wire [7:0] clamped = (s5_avg_reg < ACT_MIN_C) ? ACT_MIN_8 :
                                 (s5_avg_reg > ACT_MAX_C) ? ACT_MAX_8 : s5_avg_reg[7:0];

            always @(posedge clk) begin
                if (s_fire) begin
                    acc_reg <= sum_now;
                end
                if (en) begin
                    s1_sum_reg <= sum_now;
                    s2_mag_reg <= mag[UW-1:0];
                    s2_neg_reg <= s1_sum_reg[SUMW-1];
                    s3_neg_reg <= s2_neg_reg;
                    s4_neg_reg <= s3_neg_reg;
                    s5_avg_reg <= s4_neg_reg ? -qs : qs;
                    m_data_reg <= clamped;
                end
            end

            assign m_axis_tdata[l*8 +: 8] = m_data_reg;
        end

        always @(posedge clk) begin
            if (s_fire) begin
                n_reg <= n_now;
            end
            if (en) begin
                s1_n_reg <= n_now;
                s2_n_reg <= s1_n_reg;
            end
        end
    end else begin : g_max
        localparam signed [9:0] MIN_INIT = -10'sd512;
        genvar l;
        for (l = 0; l < SIMD; l = l + 1) begin : g_lane
            wire [7:0] x = s_axis_tdata[l*8 +: 8];
            wire signed [9:0] xv = $signed({{2{IN_SIGNED != 0 && x[7]}}, x});
            reg signed [9:0] acc_reg = MIN_INIT;
            wire signed [9:0] base = first_tap ? MIN_INIT : acc_reg;
            wire signed [9:0] max_now = (s_axis_tuser && xv > base) ? xv : base;

            reg signed [9:0] s1_max_reg = MIN_INIT;
            reg signed [9:0] s2_max_reg = MIN_INIT;
            reg signed [9:0] s3_max_reg = MIN_INIT;
            reg signed [9:0] s4_max_reg = MIN_INIT;
            reg signed [9:0] s5_max_reg = MIN_INIT;
            reg [7:0] m_data_reg = 8'd0;
            wire signed [CW-1:0] mx = $signed({{(CW-10){s5_max_reg[9]}}, s5_max_reg});
            wire [7:0] clamped = (mx < ACT_MIN_C) ? ACT_MIN_8 :
                                 (mx > ACT_MAX_C) ? ACT_MAX_8 : mx[7:0];

            always @(posedge clk) begin
                if (s_fire) begin
                    acc_reg <= max_now;
                end
                if (en) begin
                    s1_max_reg <= max_now;
                    s2_max_reg <= s1_max_reg;
                    s3_max_reg <= s2_max_reg;
                    s4_max_reg <= s3_max_reg;
                    s5_max_reg <= s4_max_reg;
                    m_data_reg <= clamped;
                end
            end

            assign m_axis_tdata[l*8 +: 8] = m_data_reg;
        end
    end
endgenerate

assign m_axis_tvalid = m_valid_reg;
assign m_axis_tlast = m_last_reg;

endmodule

`resetall
