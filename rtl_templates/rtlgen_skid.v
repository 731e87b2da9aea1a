/*

rtlgen: output skid register of a stall-able pipeline (registered clock enable)

*/

// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Turns a pipeline whose stages share one clock enable into one whose enable is a register.
 *
 * Without it such a pipeline stalls on !m_axis_tvalid || m_axis_tready: the downstream ready
 * reaches, in the same cycle, the enable of every register of the pipeline (hundreds of flip-flops
 * and the hard multipliers' enables), and through s_axis_tready the enables of the stages
 * upstream. On an FPGA that chain of nets is the critical path of a whole design.
 *
 * Here the pipeline runs on ce = !skid_valid: when its output register (s_data / s_valid, loaded
 * on ce) holds a beat that is not accepted while the pipeline moves on, the beat is copied into
 * the skid register, and ce falls in the next cycle until that beat is taken. The output is the
 * skid register while it holds a beat, else the pipeline's output register. Beats keep their
 * order; the pipeline keeps one beat per cycle while the consumer is ready, and loses one cycle
 * per stall of the consumer. m_axis_tready feeds only the skid register's load and valid.
 *
 * The skid register exists in the open ECP5 flow (RTLGEN_ECP5, defined by `rtlgen pnr`), where
 * nextpnr neither replicates nor retimes a high-fanout enable and the chain of readys was the
 * critical path of whole designs. Elsewhere the module is a wire: ce = !s_valid || m_axis_tready,
 * the output is the pipeline's output register, as without it (Vivado and Quartus replicate
 * such nets themselves; the Xilinx resource model is calibrated on that form).
 */
module rtlgen_skid #
(
    // Output beat width in bits (>= 1)
    parameter WIDTH = 8
)
(
    input  wire             clk,
    input  wire             rst,

    // clock enable of the pipeline (a register output)
    output wire             ce,

    /*
     * The pipeline's output register (loaded on ce)
     */
    input  wire [WIDTH-1:0] s_data,
    input  wire             s_valid,

    /*
     * Output stream
     */
    output wire [WIDTH-1:0] m_axis_tdata,
    output wire             m_axis_tvalid,
    input  wire             m_axis_tready
);

// bad parameters
initial begin
`ifndef SYNTHESIS
    if (WIDTH < 1) begin
        $error("%m: WIDTH (%0d) must be >= 1", WIDTH);
        $finish;
    end
`endif
end

`ifdef RTLGEN_ECP5
reg skid_valid_reg = 1'b0;
reg [WIDTH-1:0] skid_data_reg;

always @(posedge clk) begin
    if (!skid_valid_reg) begin
        // the beat in the output register is not taken and the pipeline overwrites it
        if (s_valid && !m_axis_tready) begin
            skid_valid_reg <= 1'b1;
            skid_data_reg <= s_data;
        end
    end else if (m_axis_tready) begin
        skid_valid_reg <= 1'b0;
    end
    if (rst) begin
        skid_valid_reg <= 1'b0;
    end
end

assign ce = !skid_valid_reg;
assign m_axis_tdata = skid_valid_reg ? skid_data_reg : s_data;
assign m_axis_tvalid = skid_valid_reg || s_valid;
`else
/* verilator lint_off UNUSEDSIGNAL */
wire unused_clk_rst = clk ^ rst;
/* verilator lint_on UNUSEDSIGNAL */
assign ce = !s_valid || m_axis_tready;
assign m_axis_tdata = s_data;
assign m_axis_tvalid = s_valid;
`endif

endmodule

`resetall
