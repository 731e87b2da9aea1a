/*

rtlgen: channel concatenation of two streams

*/

// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * CONCATENATION along the channels of two pixel streams in HWC order: for every pixel, the
 * A_BEATS beats of input A (its channels), then the B_BEATS beats of input B. Both inputs and
 * the output carry N elements of ELEM_BITS bits per beat; the planner width-converts the inputs
 * so that N divides both channel counts (A_BEATS = channels of A / N, B_BEATS likewise). The
 * values pass unchanged: an input whose quantization differs from the output's is requantized
 * before it arrives (rtlgen_remap).
 *
 * A beat counter over one pixel's A_BEATS + B_BEATS output beats selects the input:
 *
 *   m_axis = (beat < A_BEATS) ? s_a_axis : s_b_axis
 *   s_a_axis_tready = (beat < A_BEATS) && m_axis_tready, s_b_axis_tready likewise
 *
 * The selected input's tdata/tvalid pass combinationally and its tready is m_axis_tready
 * (combinational paths as allowed by docs/rtl-architecture.md; the stage after it registers);
 * the other input sees tready low. No tready depends on the same stream's tvalid, so there is no
 * combinational loop.
 *
 * Latency: 0 cycles. Throughput: one beat per cycle when the selected input is valid and the
 * output ready.
 */
module rtlgen_concat #
(
    // Elements per beat, all three streams (>= 1)
    parameter N = 1,
    // Bits per element (>= 1)
    parameter ELEM_BITS = 8,
    // Beats of input A per pixel (its channels / N, >= 1)
    parameter A_BEATS = 1,
    // Beats of input B per pixel (its channels / N, >= 1)
    parameter B_BEATS = 1
)
(
    input  wire                     clk,
    input  wire                     rst,

    /*
     * Input A: the first channels of every output pixel
     */
    input  wire [N*ELEM_BITS-1:0]   s_a_axis_tdata,
    input  wire                     s_a_axis_tvalid,
    output wire                     s_a_axis_tready,

    /*
     * Input B: the channels after A's
     */
    input  wire [N*ELEM_BITS-1:0]   s_b_axis_tdata,
    input  wire                     s_b_axis_tvalid,
    output wire                     s_b_axis_tready,

    /*
     * Output: A_BEATS + B_BEATS beats per pixel
     */
    output wire [N*ELEM_BITS-1:0]   m_axis_tdata,
    output wire                     m_axis_tvalid,
    input  wire                     m_axis_tready
);

localparam BEATS = A_BEATS + B_BEATS;
localparam CW = BEATS > 1 ? $clog2(BEATS) : 1;

// bad parameters
initial begin
`ifndef SYNTHESIS
    if (N < 1) begin
        $error("%m: N (%0d) must be >= 1", N);
        $finish;
    end
    if (ELEM_BITS < 1) begin
        $error("%m: ELEM_BITS (%0d) must be >= 1", ELEM_BITS);
        $finish;
    end
    if (A_BEATS < 1 || B_BEATS < 1) begin
        $error("%m: A_BEATS (%0d) and B_BEATS (%0d) must be >= 1", A_BEATS, B_BEATS);
        $finish;
    end
`endif
end

// output beat within the current pixel, 0 .. BEATS-1
reg [CW-1:0] beat_reg = {CW{1'b0}};
// the counter zero-extended to compare with the integer parameters (constant bits fold away)
wire [31:0] beat = {{(32-CW){1'b0}}, beat_reg};

wire from_a = beat < A_BEATS;
wire m_valid = from_a ? s_a_axis_tvalid : s_b_axis_tvalid;
wire m_fire = m_valid && m_axis_tready;

always @(posedge clk) begin
    if (m_fire) begin
        beat_reg <= beat == BEATS - 1 ? {CW{1'b0}} : beat_reg + 1'b1;
    end
    if (rst) begin
        beat_reg <= {CW{1'b0}};
    end
end

assign s_a_axis_tready = from_a && m_axis_tready;
assign s_b_axis_tready = !from_a && m_axis_tready;
assign m_axis_tvalid = m_valid;
assign m_axis_tdata = from_a ? s_a_axis_tdata : s_b_axis_tdata;

endmodule

`resetall
