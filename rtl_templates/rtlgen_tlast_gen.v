// Language: Verilog 2005
//
// rtlgen_tlast_gen: marks frame boundaries on a stream by counting beats.
//
// Passes s_axis to m_axis combinationally (data, valid and ready are wires) and asserts
// m_axis_tlast on beat BEATS-1, 2*BEATS-1, ... of the stream. Latency 0 cycles, throughput one
// beat per cycle. rst clears the beat counter only.

`resetall
`timescale 1ns / 1ps
`default_nettype none

module rtlgen_tlast_gen #
(
    // Data width in bits (>= 1)
    parameter WIDTH = 8,
    // Beats per frame (>= 1)
    parameter BEATS = 784
)
(
    input  wire             clk,
    input  wire             rst,

    input  wire [WIDTH-1:0] s_axis_tdata,
    input  wire             s_axis_tvalid,
    output wire             s_axis_tready,

    output wire [WIDTH-1:0] m_axis_tdata,
    output wire             m_axis_tvalid,
    input  wire             m_axis_tready,
    output wire             m_axis_tlast
);

localparam CW = (BEATS > 1) ? $clog2(BEATS) : 1;

`ifndef SYNTHESIS
initial begin
    if (WIDTH < 1) begin
        $error("%m: WIDTH must be >= 1");
        $finish;
    end
    if (BEATS < 1) begin
        $error("%m: BEATS must be >= 1");
        $finish;
    end
end
`endif

reg [CW-1:0] count_reg = {CW{1'b0}};

wire last_beat = (count_reg == BEATS[CW-1:0] - 1'b1) || (BEATS == 1);

assign m_axis_tdata  = s_axis_tdata;
assign m_axis_tvalid = s_axis_tvalid;
assign s_axis_tready = m_axis_tready;
assign m_axis_tlast  = last_beat;

always @(posedge clk) begin
    if (s_axis_tvalid && m_axis_tready) begin
        count_reg <= last_beat ? {CW{1'b0}} : count_reg + 1'b1;
    end
    if (rst) begin
        count_reg <= {CW{1'b0}};
    end
end

endmodule

`resetall
