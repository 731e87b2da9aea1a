/*

rtlgen: one multiply-accumulate lane of a depthwise unit

*/

// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * The lane both depthwise units (rtlgen_dwu, rtlgen_dwu_shared) run per output channel of a
 * chunk: the weight minus its zero point, the 9 x 9 product (rtlgen_mul: operand and product
 * registers, a MULT18X18D on ECP5) and the accumulator.
 *
 * Timing: a (the activation minus its zero point) and w are registered by the user in its stage
 * S; the multiplier registers the operands in S + 1 and the product in S + 2 (both on ce); the
 * accumulator loads in S + 3 when acc_en: the product alone when acc_first, else added to it.
 * Sums wrap modulo 2^ACC_BITS (the unit's accumulator width is chosen so that they never do).
 */
module rtlgen_dwu_lane #
(
    // weight code signedness (0: uint8, 1: int8)
    parameter W_SIGNED = 1,
    // accumulator width (bits, 2..64); products are sign-extended or truncated to it
    parameter ACC_BITS = 32
)
(
    input  wire                clk,
    // clock enable of the multiplier's operand and product registers
    input  wire                ce,

    // activation minus its zero point (9-bit two's complement), stage S
    input  wire [8:0]          a,
    // weight code, stage S
    input  wire [7:0]          w,
    // weight zero point (9-bit two's complement), stage S
    input  wire [8:0]          w_zp,

    // accumulator load (stage S + 3) and whether it starts a new sum
    input  wire                acc_en,
    input  wire                acc_first,
    output wire [ACC_BITS-1:0] acc
);

// bad parameters
initial begin
`ifndef SYNTHESIS
    if (W_SIGNED != 0 && W_SIGNED != 1) begin
        $error("%m: W_SIGNED (%0d) must be 0 or 1", W_SIGNED);
        $finish;
    end
    if (ACC_BITS < 2 || ACC_BITS > 64) begin
        $error("%m: ACC_BITS (%0d) must lie in 2..64", ACC_BITS);
        $finish;
    end
`endif
end

wire [8:0] w_ext = {(W_SIGNED != 0) & w[7], w};
wire [8:0] w_diff = w_ext - w_zp;
wire [17:0] prod;

// stage S + 1 (operands) and stage S + 2 (product) are the multiplier's own registers
rtlgen_mul #(
    .A_BITS(9),
    .B_BITS(9)
) u_mul (
    .clk(clk),
    .ce(ce),
    .ce_p(ce),
    .a(a),
    .b(w_diff),
    .p(prod)
);

// product sign-extended or truncated to ACC_BITS
/* verilator lint_off UNUSEDSIGNAL */
wire [17:0] prod_bits = prod;
/* verilator lint_on UNUSEDSIGNAL */
wire [ACC_BITS-1:0] prod_acc;
generate
    if (ACC_BITS > 18) begin : prod_ext
        assign prod_acc = {{ACC_BITS-18{prod_bits[17]}}, prod_bits};
    end else begin : prod_trunc
        assign prod_acc = prod_bits[ACC_BITS-1:0];
    end
endgenerate

reg [ACC_BITS-1:0] acc_reg;

always @(posedge clk) begin
    if (acc_en) begin
        acc_reg <= acc_first ? prod_acc : acc_reg + prod_acc;
    end
end

assign acc = acc_reg;

endmodule

`resetall
