/*

rtlgen simulation model: behaviour of the Lattice ECP5 MULT18X18D primitive, for simulation only

*/

// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * What rtlgen_mul uses of the ECP5 18x18 multiplier, written from Lattice's description of the
 * sysDSP block (TN1267): P = A * B (36 bits; an operand is signed when its SIGNEDx input is 1),
 * with optional registers on A and B (REG_INPUTA_CLK, REG_INPUTB_CLK), after the multiplier
 * (REG_PIPELINE_CLK) and on P (REG_OUTPUT_CLK), each "NONE" or "CLK0" with its own clock enable
 * ("CE0" .. "CE3") and synchronous reset "RST0". Anything else is refused, so a test cannot pass on a
 * configuration the model does not describe. The C input, shift chains and cascade outputs are
 * not modelled (rtlgen ties them off or leaves them open).
 *
 * Verilator sees this file in rtlgen's template tests (tests/rtl), which verilate rtlgen_mul and
 * its users with RTLGEN_ECP5 defined to check the primitive's connections, and in `rtlgen sim
 * --ecp5`, which simulates a whole network in the form the open ECP5 flow builds. Synthesis never
 * reads it (Yosys has the primitive).
 */
module MULT18X18D #
(
    parameter REG_INPUTA_CLK = "NONE",
    parameter REG_INPUTA_CE = "CE0",
    parameter REG_INPUTA_RST = "RST0",
    parameter REG_INPUTB_CLK = "NONE",
    parameter REG_INPUTB_CE = "CE0",
    parameter REG_INPUTB_RST = "RST0",
    parameter REG_INPUTC_CLK = "NONE",
    parameter REG_PIPELINE_CLK = "NONE",
    parameter REG_PIPELINE_CE = "CE0",
    parameter REG_PIPELINE_RST = "RST0",
    parameter REG_OUTPUT_CLK = "NONE",
    parameter REG_OUTPUT_CE = "CE0",
    parameter REG_OUTPUT_RST = "RST0",
    /* verilator lint_off UNUSEDPARAM */
    parameter GSR = "ENABLED",
    parameter SOURCEB_MODE = "B_SHIFT",
    /* verilator lint_on UNUSEDPARAM */
    parameter RESETMODE = "SYNC",
    parameter MULT_BYPASS = "DISABLED"
)
(
    input  wire A17,
    input  wire A16,
    input  wire A15,
    input  wire A14,
    input  wire A13,
    input  wire A12,
    input  wire A11,
    input  wire A10,
    input  wire A9,
    input  wire A8,
    input  wire A7,
    input  wire A6,
    input  wire A5,
    input  wire A4,
    input  wire A3,
    input  wire A2,
    input  wire A1,
    input  wire A0,
    input  wire B17,
    input  wire B16,
    input  wire B15,
    input  wire B14,
    input  wire B13,
    input  wire B12,
    input  wire B11,
    input  wire B10,
    input  wire B9,
    input  wire B8,
    input  wire B7,
    input  wire B6,
    input  wire B5,
    input  wire B4,
    input  wire B3,
    input  wire B2,
    input  wire B1,
    input  wire B0,
    input  wire C17,
    input  wire C16,
    input  wire C15,
    input  wire C14,
    input  wire C13,
    input  wire C12,
    input  wire C11,
    input  wire C10,
    input  wire C9,
    input  wire C8,
    input  wire C7,
    input  wire C6,
    input  wire C5,
    input  wire C4,
    input  wire C3,
    input  wire C2,
    input  wire C1,
    input  wire C0,
    input  wire SRIA17,
    input  wire SRIA16,
    input  wire SRIA15,
    input  wire SRIA14,
    input  wire SRIA13,
    input  wire SRIA12,
    input  wire SRIA11,
    input  wire SRIA10,
    input  wire SRIA9,
    input  wire SRIA8,
    input  wire SRIA7,
    input  wire SRIA6,
    input  wire SRIA5,
    input  wire SRIA4,
    input  wire SRIA3,
    input  wire SRIA2,
    input  wire SRIA1,
    input  wire SRIA0,
    input  wire SRIB17,
    input  wire SRIB16,
    input  wire SRIB15,
    input  wire SRIB14,
    input  wire SRIB13,
    input  wire SRIB12,
    input  wire SRIB11,
    input  wire SRIB10,
    input  wire SRIB9,
    input  wire SRIB8,
    input  wire SRIB7,
    input  wire SRIB6,
    input  wire SRIB5,
    input  wire SRIB4,
    input  wire SRIB3,
    input  wire SRIB2,
    input  wire SRIB1,
    input  wire SRIB0,
    input  wire SIGNEDA,
    input  wire SIGNEDB,
    input  wire SOURCEA,
    input  wire SOURCEB,
    input  wire CLK0,
    input  wire CLK1,
    input  wire CLK2,
    input  wire CLK3,
    input  wire CE0,
    input  wire CE1,
    input  wire CE2,
    input  wire CE3,
    input  wire RST0,
    input  wire RST1,
    input  wire RST2,
    input  wire RST3,
    output wire P35,
    output wire P34,
    output wire P33,
    output wire P32,
    output wire P31,
    output wire P30,
    output wire P29,
    output wire P28,
    output wire P27,
    output wire P26,
    output wire P25,
    output wire P24,
    output wire P23,
    output wire P22,
    output wire P21,
    output wire P20,
    output wire P19,
    output wire P18,
    output wire P17,
    output wire P16,
    output wire P15,
    output wire P14,
    output wire P13,
    output wire P12,
    output wire P11,
    output wire P10,
    output wire P9,
    output wire P8,
    output wire P7,
    output wire P6,
    output wire P5,
    output wire P4,
    output wire P3,
    output wire P2,
    output wire P1,
    output wire P0,
    output wire SIGNEDP
);

localparam REG_A = REG_INPUTA_CLK == "CLK0";
localparam REG_B = REG_INPUTB_CLK == "CLK0";
localparam REG_P1 = REG_PIPELINE_CLK == "CLK0";
localparam REG_P2 = REG_OUTPUT_CLK == "CLK0";

// clock enable input of a register by its parameter value: 0..3, 4 = not a CE name
function integer ce_index(input [8*3-1:0] name);
    begin
        ce_index = name == "CE0" ? 0 : name == "CE1" ? 1 : name == "CE2" ? 2 : name == "CE3" ? 3 : 4;
    end
endfunction

localparam CE_A = ce_index(REG_INPUTA_CE);
localparam CE_B = ce_index(REG_INPUTB_CE);
localparam CE_P1 = ce_index(REG_PIPELINE_CE);
localparam CE_P2 = ce_index(REG_OUTPUT_CE);

initial begin
    if ((REG_INPUTA_CLK != "NONE" && !REG_A) || (REG_INPUTB_CLK != "NONE" && !REG_B) ||
        (REG_PIPELINE_CLK != "NONE" && !REG_P1) || (REG_OUTPUT_CLK != "NONE" && !REG_P2) ||
        REG_INPUTC_CLK != "NONE" ||
        (REG_A && (CE_A > 3 || REG_INPUTA_CE != REG_INPUTB_CE || REG_INPUTA_RST != "RST0")) ||
        (REG_B && (CE_B > 3 || REG_INPUTB_RST != "RST0")) ||
        (REG_P1 && (CE_P1 > 3 || REG_PIPELINE_RST != "RST0")) ||
        (REG_P2 && (CE_P2 > 3 || REG_OUTPUT_RST != "RST0")) ||
        RESETMODE != "SYNC" || MULT_BYPASS != "DISABLED") begin
        $error("%m: MULT18X18D configuration not described by this model");
        $finish;
    end
end

/* verilator lint_off UNUSEDSIGNAL */
wire [17:0] c_in =
    {C17, C16, C15, C14, C13, C12, C11, C10, C9, C8, C7, C6, C5, C4, C3, C2, C1, C0};
wire [17:0] sria_in =
    {SRIA17, SRIA16, SRIA15, SRIA14, SRIA13, SRIA12, SRIA11, SRIA10, SRIA9, SRIA8, SRIA7, SRIA6,
     SRIA5, SRIA4, SRIA3, SRIA2, SRIA1, SRIA0};
wire [17:0] srib_in =
    {SRIB17, SRIB16, SRIB15, SRIB14, SRIB13, SRIB12, SRIB11, SRIB10, SRIB9, SRIB8, SRIB7, SRIB6,
     SRIB5, SRIB4, SRIB3, SRIB2, SRIB1, SRIB0};
wire [5:0] unused_ctrl = {SOURCEA, SOURCEB, CLK1, CLK2, CLK3, RST1 ^ RST2 ^ RST3};
/* verilator lint_on UNUSEDSIGNAL */

wire [17:0] a_in =
    {A17, A16, A15, A14, A13, A12, A11, A10, A9, A8, A7, A6, A5, A4, A3, A2, A1, A0};
wire [17:0] b_in =
    {B17, B16, B15, B14, B13, B12, B11, B10, B9, B8, B7, B6, B5, B4, B3, B2, B1, B0};

wire [3:0] ce_in = {CE3, CE2, CE1, CE0};
// the model checks CE_x <= 3 before any clock edge; the & keeps the index in range regardless
wire ce_a = ce_in[CE_A & 3];
wire ce_p1 = ce_in[CE_P1 & 3];
wire ce_p2 = ce_in[CE_P2 & 3];

reg [17:0] a_reg = 18'd0;
reg [17:0] b_reg = 18'd0;
reg sa_reg = 1'b0;
reg sb_reg = 1'b0;
reg [35:0] p1_reg = 36'd0;
reg [35:0] p2_reg = 36'd0;

always @(posedge CLK0) begin
    if (ce_a) begin
        a_reg <= a_in;
        sa_reg <= SIGNEDA;
        b_reg <= b_in;
        sb_reg <= SIGNEDB;
    end
    if (RST0) begin
        a_reg <= 18'd0;
        b_reg <= 18'd0;
    end
end

wire [17:0] a_op = REG_A ? a_reg : a_in;
wire [17:0] b_op = REG_B ? b_reg : b_in;
wire sa = REG_A ? sa_reg : SIGNEDA;
wire sb = REG_B ? sb_reg : SIGNEDB;
wire signed [18:0] a_ext = {sa & a_op[17], a_op};
wire signed [18:0] b_ext = {sb & b_op[17], b_op};
/* verilator lint_off UNUSEDSIGNAL */
wire signed [37:0] product = a_ext * b_ext;
/* verilator lint_on UNUSEDSIGNAL */

always @(posedge CLK0) begin
    if (ce_p1) begin
        p1_reg <= product[35:0];
    end
    if (ce_p2) begin
        p2_reg <= REG_P1 ? p1_reg : product[35:0];
    end
    if (RST0) begin
        p1_reg <= 36'd0;
        p2_reg <= 36'd0;
    end
end

wire [35:0] p_out = REG_P2 ? p2_reg : (REG_P1 ? p1_reg : product[35:0]);

assign {P35, P34, P33, P32, P31, P30, P29, P28, P27, P26, P25, P24, P23, P22, P21, P20, P19, P18,
        P17, P16, P15, P14, P13, P12, P11, P10, P9, P8, P7, P6, P5, P4, P3, P2, P1, P0} = p_out;
assign SIGNEDP = sa | sb;

endmodule

`resetall
