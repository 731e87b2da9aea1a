// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * rtlgen_avgpool_shift: average pooling over windows of K_H*K_W = 2^m taps, all inside the
 * image, as a sum and a rounding shift: y = round(sum / 2^m), ROUNDING 0 = floor, 1 = half up,
 * 2 = half even (the first seed document's 2x2 pools: round_half_even(sum / 4)). Elements of
 * any width ELEM_BITS (the scale-shift scheme's wide activations); the average stays in the
 * input's range, so there is no clamp. Bit-exact with rtlgen's golden average_pool2d with
 * `rounding: half_even` (rtlgen::divide_half_even) for ROUNDING 2.
 *
 * Input: rtlgen_swg ORDER 1 beats: per window and chunk of SIMD channels, K_H*K_W beats (one
 * tap each) of SIMD elements; s_axis_tlast = last beat of the window, passed to m_axis_tlast.
 * The module counts taps itself. The generator uses it only without padding (every tap is in
 * the image), so s_axis_tuser is not needed.
 * Output: one beat of SIMD elements per window chunk.
 *
 * Rounding without a comparator: with r = sum mod 2^m, half up adds r[m-1], half even adds
 * r[m-1] && (r[m-2:0] != 0 || q[0]), q = sum >>> m.
 * Latency: 2 cycles from the last tap beat of a chunk to its output beat.
 * Throughput: one input beat per cycle; s_axis_tready = !m_axis_tvalid || m_axis_tready.
 */
module rtlgen_avgpool_shift #
(
    // Channels of the image (SIMD divides it)
    parameter CHANNELS = 8,
    // Elements per beat
    parameter SIMD = 4,
    // Window height
    parameter K_H = 2,
    // Window width (K_H*K_W must be a power of two)
    parameter K_W = 2,
    // Element width in bits (2..32)
    parameter ELEM_BITS = 8,
    // 1 = signed elements, 0 = unsigned
    parameter IN_SIGNED = 0,
    // Rounding of sum / 2^m: 0 = floor, 1 = half up, 2 = half even
    parameter ROUNDING = 2
)
(
    input  wire                        clk,
    input  wire                        rst,

    input  wire [SIMD*ELEM_BITS-1:0]   s_axis_tdata,
    input  wire                        s_axis_tvalid,
    output wire                        s_axis_tready,
    input  wire                        s_axis_tlast,

    output wire [SIMD*ELEM_BITS-1:0]   m_axis_tdata,
    output wire                        m_axis_tvalid,
    input  wire                        m_axis_tready,
    output wire                        m_axis_tlast
);

localparam NT = K_H * K_W;
localparam M = $clog2(NT);
localparam TW = (NT > 1) ? $clog2(NT) : 1;
// sum of NT elements, one more bit for the sign of unsigned elements
localparam SW = ELEM_BITS + M + 1;

/* verilator lint_off WIDTH */
localparam [TW-1:0] NT_LAST = NT - 1;
/* verilator lint_on WIDTH */

initial begin
`ifndef SYNTHESIS
    if (SIMD < 1 || CHANNELS % SIMD != 0) begin
        $error("%m: SIMD (%0d) must divide CHANNELS (%0d)", SIMD, CHANNELS);
        $finish;
    end
    if (K_H < 1 || K_W < 1 || (1 << M) != NT) begin
        $error("%m: K_H*K_W (%0d) must be a power of two", NT);
        $finish;
    end
    if (ELEM_BITS < 2 || ELEM_BITS > 32) begin
        $error("%m: ELEM_BITS (%0d) must be 2..32", ELEM_BITS);
        $finish;
    end
    if (ROUNDING < 0 || ROUNDING > 2) begin
        $error("%m: ROUNDING (%0d) must be 0 (floor), 1 (half up) or 2 (half even)", ROUNDING);
        $finish;
    end
`endif
end

reg  [TW-1:0] tap_reg = {TW{1'b0}};
reg  s1_valid_reg = 1'b0, m_valid_reg = 1'b0;
reg  s1_last_reg = 1'b0, m_last_reg = 1'b0;

wire en = !m_valid_reg || m_axis_tready;
wire s_fire = s_axis_tvalid && en;
wire first_tap = (tap_reg == {TW{1'b0}});
wire last_tap = (NT == 1) || (tap_reg == NT_LAST);

assign s_axis_tready = en;

always @(posedge clk) begin
    if (s_fire) begin
        tap_reg <= last_tap ? {TW{1'b0}} : tap_reg + 1'b1;
    end
    if (en) begin
        s1_valid_reg <= s_fire && last_tap;
        s1_last_reg <= s_axis_tlast;
        m_valid_reg <= s1_valid_reg;
        m_last_reg <= s1_last_reg;
    end
    if (rst) begin
        tap_reg <= {TW{1'b0}};
        s1_valid_reg <= 1'b0;
        m_valid_reg <= 1'b0;
    end
end

genvar l;
generate
    for (l = 0; l < SIMD; l = l + 1) begin : g_lane
        wire [ELEM_BITS-1:0] x = s_axis_tdata[l*ELEM_BITS +: ELEM_BITS];
        wire [SW-1:0] xv = {{(M+1){IN_SIGNED != 0 && x[ELEM_BITS-1]}}, x};
        reg  [SW-1:0] acc_reg = {SW{1'b0}};
        wire [SW-1:0] sum_now = (first_tap ? {SW{1'b0}} : acc_reg) + xv;
        reg  [SW-1:0] s1_sum_reg = {SW{1'b0}};
        reg  [ELEM_BITS-1:0] m_data_reg = {ELEM_BITS{1'b0}};

        // the average fits ELEM_BITS: it lies between the smallest and largest element
        /* verilator lint_off UNUSEDSIGNAL */
        wire [SW-1:0] q = $signed(s1_sum_reg) >>> M;
        /* verilator lint_on UNUSEDSIGNAL */
        wire up;
        if (M == 0 || ROUNDING == 0) begin : g_floor
            assign up = 1'b0;
        end else if (ROUNDING == 1 || M == 1) begin : g_half
            assign up = s1_sum_reg[M-1] && (ROUNDING == 1 || q[0]);
        end else begin : g_even
            assign up = s1_sum_reg[M-1] && (|s1_sum_reg[M-2:0] || q[0]);
        end

        always @(posedge clk) begin
            if (s_fire) begin
                acc_reg <= sum_now;
            end
            if (en) begin
                s1_sum_reg <= sum_now;
                m_data_reg <= q[ELEM_BITS-1:0] + {{(ELEM_BITS-1){1'b0}}, up};
            end
        end

        assign m_axis_tdata[l*ELEM_BITS +: ELEM_BITS] = m_data_reg;
    end
endgenerate

assign m_axis_tvalid = m_valid_reg;
assign m_axis_tlast = m_last_reg;

endmodule

`resetall
