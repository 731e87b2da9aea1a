/*

rtlgen: registered signed multiplier (one hard multiplier where the family allows)

*/

// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Registered signed multiplier: p = a * b, A_BITS x B_BITS signed operands, full-width signed
 * product, two cycles of latency (operand registers, product register). The operand registers
 * load on ce, the product register on ce_p: a pipeline whose stages load only with valid data
 * (the MVU) gives each its own enable, one that stalls as a whole ties both together. The
 * registers hold data only: no reset.
 *
 * Why a module of its own: the multiply paths of the MVU and depthwise units are register ->
 * hard multiplier -> register, and the synthesiser should put both registers inside the hard
 * block. Yosys (synth_ecp5, up to at least 0.70) never moves fabric registers into an ECP5
 * MULT18X18D, so the multiply costs the block's whole combinational delay (3.93 ns on
 * LFE5U-85F-6) plus routing to and from fabric flip-flops. With RTLGEN_ECP5 defined (the open ECP5
 * flow, `rtlgen pnr`, defines it) and both operands of at most 18 bits, the module instantiates
 * MULT18X18D with its input and output registers enabled; anywhere else it is plain Verilog,
 * which Vivado and Quartus pack into DSP48 / DSP-block registers themselves.
 *
 * Both branches have the same ports, latency and results (tests/rtl/test_mul.cpp runs the ECP5
 * branch against a behavioural model of the primitive, tests/rtl/models/MULT18X18D.v).
 */
module rtlgen_mul #
(
    // Operand a width in bits (signed, 2..32)
    parameter A_BITS = 9,
    // Operand b width in bits (signed, 2..32)
    parameter B_BITS = 9
)
(
    input  wire                          clk,
    // clock enable of the operand registers
    input  wire                          ce,
    // clock enable of the product register
    input  wire                          ce_p,
    input  wire signed [A_BITS-1:0]      a,
    input  wire signed [B_BITS-1:0]      b,
    // product of the operands loaded by the last ce before the last ce_p
    output wire signed [A_BITS+B_BITS-1:0] p
);

// bad parameters
initial begin
`ifndef SYNTHESIS
    if (A_BITS < 2 || A_BITS > 32 || B_BITS < 2 || B_BITS > 32) begin
        $error("%m: A_BITS (%0d) and B_BITS (%0d) must be 2..32", A_BITS, B_BITS);
        $finish;
    end
`endif
end

// the hard-block branch exists only when the flow asks for it (the primitive is unknown elsewhere)
`ifdef RTLGEN_ECP5
localparam USE_MULT18X18D = (A_BITS <= 18 && B_BITS <= 18) ? 1 : 0;
`else
localparam USE_MULT18X18D = 0;
`endif

generate
    if (USE_MULT18X18D != 0) begin : g_mult18x18d
`ifdef RTLGEN_ECP5
        // operands sign-extended to the primitive's 18 bits; its 36-bit product holds every
        // A_BITS + B_BITS result exactly
        /* verilator lint_off WIDTH */
        wire signed [17:0] a18 = a;  // signed to wider signed: sign extension
        wire signed [17:0] b18 = b;
        /* verilator lint_on WIDTH */
        wire [35:0] p36;

        MULT18X18D #(
            .REG_INPUTA_CLK("CLK0"),
            .REG_INPUTA_CE("CE0"),
            .REG_INPUTA_RST("RST0"),
            .REG_INPUTB_CLK("CLK0"),
            .REG_INPUTB_CE("CE0"),
            .REG_INPUTB_RST("RST0"),
            .REG_INPUTC_CLK("NONE"),
            .REG_PIPELINE_CLK("NONE"),
            .REG_OUTPUT_CLK("CLK0"),
            .REG_OUTPUT_CE("CE1"),
            .REG_OUTPUT_RST("RST0"),
            .GSR("DISABLED"),
            .RESETMODE("SYNC"),
            .SOURCEB_MODE("B_SHIFT"),
            .MULT_BYPASS("DISABLED")
        ) u_mult (
            .CLK0(clk), .CLK1(1'b0), .CLK2(1'b0), .CLK3(1'b0),
            .CE0(ce), .CE1(ce_p), .CE2(1'b1), .CE3(1'b1),
            .RST0(1'b0), .RST1(1'b0), .RST2(1'b0), .RST3(1'b0),
            .SIGNEDA(1'b1), .SIGNEDB(1'b1), .SOURCEA(1'b0), .SOURCEB(1'b0),
            .A17(a18[17]), .A16(a18[16]), .A15(a18[15]), .A14(a18[14]), .A13(a18[13]),
            .A12(a18[12]), .A11(a18[11]), .A10(a18[10]), .A9(a18[9]), .A8(a18[8]), .A7(a18[7]),
            .A6(a18[6]), .A5(a18[5]), .A4(a18[4]), .A3(a18[3]), .A2(a18[2]), .A1(a18[1]),
            .A0(a18[0]),
            .B17(b18[17]), .B16(b18[16]), .B15(b18[15]), .B14(b18[14]), .B13(b18[13]),
            .B12(b18[12]), .B11(b18[11]), .B10(b18[10]), .B9(b18[9]), .B8(b18[8]), .B7(b18[7]),
            .B6(b18[6]), .B5(b18[5]), .B4(b18[4]), .B3(b18[3]), .B2(b18[2]), .B1(b18[1]),
            .B0(b18[0]),
            // C and the shift-chain inputs stay open: nextpnr cannot route a constant to them
            .C17(), .C16(), .C15(), .C14(), .C13(), .C12(), .C11(),
            .C10(), .C9(), .C8(), .C7(), .C6(), .C5(), .C4(),
            .C3(), .C2(), .C1(), .C0(),
            .SRIA17(), .SRIA16(), .SRIA15(), .SRIA14(), .SRIA13(),
            .SRIA12(), .SRIA11(), .SRIA10(), .SRIA9(), .SRIA8(),
            .SRIA7(), .SRIA6(), .SRIA5(), .SRIA4(), .SRIA3(), .SRIA2(),
            .SRIA1(), .SRIA0(),
            .SRIB17(), .SRIB16(), .SRIB15(), .SRIB14(), .SRIB13(),
            .SRIB12(), .SRIB11(), .SRIB10(), .SRIB9(), .SRIB8(),
            .SRIB7(), .SRIB6(), .SRIB5(), .SRIB4(), .SRIB3(), .SRIB2(),
            .SRIB1(), .SRIB0(),
            .P35(p36[35]), .P34(p36[34]), .P33(p36[33]), .P32(p36[32]), .P31(p36[31]),
            .P30(p36[30]), .P29(p36[29]), .P28(p36[28]), .P27(p36[27]), .P26(p36[26]),
            .P25(p36[25]), .P24(p36[24]), .P23(p36[23]), .P22(p36[22]), .P21(p36[21]),
            .P20(p36[20]), .P19(p36[19]), .P18(p36[18]), .P17(p36[17]), .P16(p36[16]),
            .P15(p36[15]), .P14(p36[14]), .P13(p36[13]), .P12(p36[12]), .P11(p36[11]),
            .P10(p36[10]), .P9(p36[9]), .P8(p36[8]), .P7(p36[7]), .P6(p36[6]), .P5(p36[5]),
            .P4(p36[4]), .P3(p36[3]), .P2(p36[2]), .P1(p36[1]), .P0(p36[0]),
            .SIGNEDP()
        );

        assign p = p36[A_BITS+B_BITS-1:0];
`endif
    end else begin : g_fabric
        reg signed [A_BITS-1:0] a_reg;
        reg signed [B_BITS-1:0] b_reg;
        reg signed [A_BITS+B_BITS-1:0] p_reg;

        always @(posedge clk) begin
            if (ce) begin
                a_reg <= a;
                b_reg <= b;
            end
            if (ce_p) begin
                p_reg <= a_reg * b_reg;
            end
        end

        assign p = p_reg;
    end
endgenerate

endmodule

`resetall
