/*

rtlgen: 8-bit value remapping by a lookup table

*/

// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Maps every 8-bit element of a stream through one 256-entry table: out = TABLE[in - qmin]
 * (qmin = -128 for int8, 0 for uint8; the index is the element's bits with the top bit flipped
 * for int8). The generator fills the table with the golden model's own function of the input
 * value, so any per-value rule is reproduced exactly: for a concatenation input whose
 * quantization differs from the output's, its requantization (golden::concat_table): ONNX
 * Runtime's, sat(rne(f32(f32(q - zp) * scale) / out_scale) + out_zp), or TFLite's uint8 kernel's,
 * sat(round_half_away(f32(q * f32(in_scale * f32(1 / out_scale))) + bias) + out_zp).
 *
 * TABLE_FILE: 256 lines of two hex digits, line k = the output for input qmin + k (two's
 * complement for int8).
 *
 * Pipeline: 1 stage (the table read into the output register), N lanes each with its own read
 * of the table (a small ROM per lane), one clock enable ce = !m_axis_tvalid || m_axis_tready
 * (combinational ready path, as allowed by docs/rtl-architecture.md). Latency 1 cycle,
 * 1 beat per cycle.
 */
module rtlgen_remap #
(
    // Elements per beat (>= 1)
    parameter N = 1,
    // Element type of input and output: 1 = int8, 0 = uint8
    parameter SIGNED = 1,
    // 256 table entries, $readmemh format ("" = uninitialised table)
    parameter TABLE_FILE = ""
)
(
    input  wire                 clk,
    input  wire                 rst,

    /*
     * Input stream, element i at tdata[i*8 +: 8]
     */
    input  wire [N*8-1:0]       s_axis_tdata,
    input  wire                 s_axis_tvalid,
    output wire                 s_axis_tready,

    /*
     * Output stream, element i = TABLE[input element i - qmin]
     */
    output wire [N*8-1:0]       m_axis_tdata,
    output wire                 m_axis_tvalid,
    input  wire                 m_axis_tready
);

// bad parameters
initial begin
`ifndef SYNTHESIS
    if (N < 1) begin
        $error("%m: N (%0d) must be >= 1", N);
        $finish;
    end
    if (SIGNED != 0 && SIGNED != 1) begin
        $error("%m: SIGNED (%0d) must be 0 or 1", SIGNED);
        $finish;
    end
`endif
end

reg [7:0] table_rom [0:255];

initial begin
    if (TABLE_FILE != "") begin
        $readmemh(TABLE_FILE, table_rom);
    end
end

reg [N*8-1:0] data_reg = {N*8{1'b0}};
reg valid_reg = 1'b0;

wire ce = !valid_reg || m_axis_tready;

// int8: q - (-128) = q with the sign bit flipped; uint8: q itself
wire [7:0] flip = SIGNED != 0 ? 8'h80 : 8'h00;

integer i;

always @(posedge clk) begin
    if (ce) begin
        valid_reg <= s_axis_tvalid;
        if (s_axis_tvalid) begin
            for (i = 0; i < N; i = i + 1) begin
                data_reg[i*8 +: 8] <= table_rom[s_axis_tdata[i*8 +: 8] ^ flip];
            end
        end
    end
    if (rst) begin
        valid_reg <= 1'b0;
    end
end

assign s_axis_tready = ce;
assign m_axis_tvalid = valid_reg;
assign m_axis_tdata = data_reg;

endmodule

`resetall
