/*

rtlgen: stream broadcast (fork)

*/

// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Stream fork: every beat of s_axis is delivered exactly once to each of N_OUT outputs.
 *
 * Output i is m_axis_tdata[i*WIDTH +: WIDTH], m_axis_tvalid[i], m_axis_tready[i]. Each output
 * takes the current beat independently: a per-output "delivered" flag is set when output i
 * accepts it, and output i then shows tvalid low until the next beat. The input beat is
 * consumed (s_axis_tready high) in the cycle in which every output has either taken it earlier
 * or takes it now; then all flags clear. A slow consumer therefore stalls the input but never
 * makes another output see a duplicate or miss a beat.
 *
 *   m_axis_tvalid[i] = s_axis_tvalid && !delivered[i]      (no dependence on any tready)
 *   s_axis_tready    = AND over i of (delivered[i] || m_axis_tready[i])
 *
 * Data is passed combinationally (all outputs carry s_axis_tdata). s_axis_tready depends
 * combinationally on m_axis_tready (allowed by docs/rtl-architecture.md); no path leads from
 * any tready back to a tvalid, so there is no combinational loop.
 *
 * Latency: 0 cycles. Throughput: one beat per cycle when every output is ready.
 */
module rtlgen_fork #
(
    // Beat width in bits (>= 1)
    parameter WIDTH = 8,
    // Number of outputs (>= 2)
    parameter N_OUT = 2
)
(
    input  wire                     clk,
    input  wire                     rst,

    /*
     * Input stream
     */
    input  wire [WIDTH-1:0]         s_axis_tdata,
    input  wire                     s_axis_tvalid,
    output wire                     s_axis_tready,

    /*
     * N_OUT copies of the stream, output i at [i*WIDTH +: WIDTH] / bit i
     */
    output wire [N_OUT*WIDTH-1:0]   m_axis_tdata,
    output wire [N_OUT-1:0]         m_axis_tvalid,
    input  wire [N_OUT-1:0]         m_axis_tready
);

// bad parameters
initial begin
`ifndef SYNTHESIS
    if (WIDTH < 1) begin
        $error("%m: WIDTH (%0d) must be >= 1", WIDTH);
        $finish;
    end
    if (N_OUT < 2) begin
        $error("%m: N_OUT (%0d) must be >= 2", N_OUT);
        $finish;
    end
`endif
end

// output i already took the current input beat
reg [N_OUT-1:0] delivered_reg = {N_OUT{1'b0}};

wire [N_OUT-1:0] valid = {N_OUT{s_axis_tvalid}} & ~delivered_reg;
wire [N_OUT-1:0] taken = delivered_reg | m_axis_tready;
wire s_ready = &taken;
wire s_fire = s_axis_tvalid && s_ready;

always @(posedge clk) begin
    if (s_fire) begin
        delivered_reg <= {N_OUT{1'b0}};
    end else begin
        delivered_reg <= delivered_reg | (valid & m_axis_tready);
    end
    if (rst) begin
        delivered_reg <= {N_OUT{1'b0}};
    end
end

assign s_axis_tready = s_ready;
assign m_axis_tvalid = valid;
assign m_axis_tdata = {N_OUT{s_axis_tdata}};

endmodule

`resetall
