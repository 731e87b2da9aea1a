/*

rtlgen: pipelined wide signed multiplier built from hard-multiplier-sized partial products

*/

// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * p = a * b exactly (signed x signed, A_BITS + B_BITS bits), 4 register stages behind one clock
 * enable: the product of the a and b presented with an enabled clock edge appears on p after
 * the 4th enabled edge. Used by rtlgen_requant, rtlgen_requant_float and rtlgen_add (an
 * unsigned operand is passed zero-extended by one bit). The input registers are in here, next
 * to the multipliers, so that synthesis can pack them into the DSP blocks (hierarchy is kept).
 *
 * b is cut into its low 17 bits (unsigned) and the rest (signed, B_BITS - 17 <= 18 bits):
 *
 *   stage 0  a, b                                (multiplier input registers)
 *   A_BITS <= 25 (two partial products, each fits one DSP48E1 25x18 multiplier):
 *     stage 1  a * b[16:0], a * b_hi           (multiplier outputs)
 *     stage 2  the same, registered             (DSP P registers)
 *     stage 3  lo + (hi << 17)                  (one carry chain)
 *   A_BITS > 25 (four <= 18x18 partial products, a cut like b):
 *     stage 1  a_lo*b_lo, a_lo*b_hi, a_hi*b_lo, a_hi*b_hi
 *     stage 2  outer products side by side (they do not overlap), middle products summed
 *     stage 3  outer + (middle << 17)
 *
 *   CYCLES = 2 (A_BITS <= 25): both partial products on one multiplier, for callers that present
 *   operands (load = 1) at most every second enabled cycle: a and b are held, the multiplier
 *   takes b[16:0] in the enabled cycle after the load and b_hi in the next, so the product
 *   still appears after the 4th enabled edge:
 *     stage 1  a * b[16:0]; then a * b_hi
 *     stage 2  a * b[16:0], registered
 *     stage 3  lo + (hi << 17)
 *
 * Every stage holds at most one multiplier or one carry chain per partial product. The generator
 * passes the narrowest A_BITS the values can need (rtlgen_requant's MUL_BITS), which is what
 * decides between two and four hard multipliers.
 */
module rtlgen_mul_wide #
(
    // Width of a (signed, 2..35)
    parameter A_BITS = 32,
    // Width of b (signed, 18..35)
    parameter B_BITS = 32,
    // Enabled cycles per product: 1, or 2 (one hard multiplier; A_BITS <= 25; operands loaded
    // at most every second enabled cycle)
    parameter CYCLES = 1
)
(
    input  wire                       clk,
    input  wire                       ce,
    // a and b carry operands this enabled cycle (used at CYCLES = 2)
    input  wire                       load,
    input  wire [A_BITS-1:0]          a,
    input  wire [B_BITS-1:0]          b,
    output wire [A_BITS+B_BITS-1:0]   p
);

localparam P_BITS = A_BITS + B_BITS;
localparam BH_BITS = B_BITS - 17;  // signed high part of b

// bad parameters
initial begin
`ifndef SYNTHESIS
    if (A_BITS < 2 || A_BITS > 35 || B_BITS < 18 || B_BITS > 35) begin
        $error("%m: A_BITS (%0d) must be 2..35 and B_BITS (%0d) 18..35", A_BITS, B_BITS);
        $finish;
    end
    if (CYCLES != 1 && !(CYCLES == 2 && A_BITS <= 25)) begin
        $error("%m: CYCLES (%0d) must be 1, or 2 with A_BITS (%0d) <= 25", CYCLES, A_BITS);
        $finish;
    end
`endif
end

// The open ECP5 flow (RTLGEN_ECP5): a multiplier wider than 18x18 is not one MULT18X18D but
// several joined by adders, which Yosys puts in the same stage as the multiplies; and Yosys
// never packs fabric registers into the block. There the product is always made of <= 18x18
// rtlgen_mul tiles, each a MULT18X18D with its own operand (stage 1) and product (stage 2)
// registers, whatever CYCLES is (same latency, same results; one multiplier per tile): four
// tiles when both operands are wider than 18 bits, two (b cut at bit 17) when only b is, one
// when neither is.
`ifdef RTLGEN_ECP5
localparam ECP5 = 1;
`else
localparam ECP5 = 0;
`endif
// four partial products of a and b both cut at bit 17: the fabric form for A_BITS > 25, the
// ECP5 tiles when both are wider than 18 bits; they share the adder stages below
localparam FOUR = ECP5 != 0 ? (A_BITS > 18 && B_BITS > 18) : (CYCLES == 1 && A_BITS > 25);
localparam AH_BITS = A_BITS > 18 ? A_BITS - 17 : 2;  // signed high part of a when a is cut
localparam MID_BITS = (AH_BITS > BH_BITS ? AH_BITS : BH_BITS) + 18;

// stage 2 of the four-product form: a_lo*b_lo (17 x 17 unsigned bits), a_hi*b_lo, a_lo*b_hi
// (signed, AH_BITS + 17 and BH_BITS + 17 bits), a_hi*b_hi
/* verilator lint_off UNUSEDSIGNAL */
/* verilator lint_off UNDRIVEN */
wire [33:0] ll_2;
wire [AH_BITS+16:0] hl_2;
wire [BH_BITS+16:0] lh_2;
wire [AH_BITS+BH_BITS-1:0] hh_2;
/* verilator lint_on UNDRIVEN */
/* verilator lint_on UNUSEDSIGNAL */

generate
    if (ECP5 != 0) begin : g_ecp5
        /* verilator lint_off UNUSEDSIGNAL */
        wire unused_load = load;
        /* verilator lint_on UNUSEDSIGNAL */
        if (FOUR) begin : g_tiles4
            /* verilator lint_off UNUSEDSIGNAL */
            wire [35:0] ll_p;
            wire [AH_BITS+17:0] hl_p;
            wire [BH_BITS+17:0] lh_p;
            /* verilator lint_on UNUSEDSIGNAL */
            rtlgen_mul #(.A_BITS(18), .B_BITS(18)) u_ll (
                .clk(clk), .ce(ce), .ce_p(ce), .a({1'b0, a[16:0]}), .b({1'b0, b[16:0]}), .p(ll_p)
            );
            rtlgen_mul #(.A_BITS(AH_BITS), .B_BITS(18)) u_hl (
                .clk(clk), .ce(ce), .ce_p(ce), .a(a[A_BITS-1:17]), .b({1'b0, b[16:0]}), .p(hl_p)
            );
            rtlgen_mul #(.A_BITS(18), .B_BITS(BH_BITS)) u_lh (
                .clk(clk), .ce(ce), .ce_p(ce), .a({1'b0, a[16:0]}), .b(b[B_BITS-1:17]), .p(lh_p)
            );
            rtlgen_mul #(.A_BITS(AH_BITS), .B_BITS(BH_BITS)) u_hh (
                .clk(clk), .ce(ce), .ce_p(ce), .a(a[A_BITS-1:17]), .b(b[B_BITS-1:17]), .p(hh_2)
            );
            assign ll_2 = ll_p[33:0];
            assign hl_2 = hl_p[AH_BITS+16:0];
            assign lh_2 = lh_p[BH_BITS+16:0];
        end else if (B_BITS > 18) begin : g_tiles2
            // a (at most 18 bits) times b's low 17 bits (unsigned) and its high part (signed)
            /* verilator lint_off UNUSEDSIGNAL */
            wire [A_BITS+17:0] lo_p;  // fits A_BITS + 17 bits
            /* verilator lint_on UNUSEDSIGNAL */
            wire [A_BITS+BH_BITS-1:0] hi_p;
            rtlgen_mul #(.A_BITS(A_BITS), .B_BITS(18)) u_lo (
                .clk(clk), .ce(ce), .ce_p(ce), .a(a), .b({1'b0, b[16:0]}), .p(lo_p)
            );
            rtlgen_mul #(.A_BITS(A_BITS), .B_BITS(BH_BITS)) u_hi (
                .clk(clk), .ce(ce), .ce_p(ce), .a(a), .b(b[B_BITS-1:17]), .p(hi_p)
            );
            reg [P_BITS-1:0] lo_3, hi_3, p_4;
            always @(posedge clk) begin
                if (ce) begin
                    lo_3 <= {{BH_BITS{lo_p[A_BITS+16]}}, lo_p[A_BITS+16:0]};
                    hi_3 <= {hi_p, 17'd0};
                    p_4 <= lo_3 + hi_3;
                end
            end
            assign p = p_4;
        end else begin : g_tile1
            // both operands fit one block (B_BITS = 18, A_BITS <= 18): two delay stages after it
            wire [P_BITS-1:0] p_2;
            rtlgen_mul #(.A_BITS(A_BITS), .B_BITS(B_BITS)) u_ab (
                .clk(clk), .ce(ce), .ce_p(ce), .a(a), .b(b), .p(p_2)
            );
            reg [P_BITS-1:0] p_3, p_4;
            always @(posedge clk) begin
                if (ce) begin
                    p_3 <= p_2;
                    p_4 <= p_3;
                end
            end
            assign p = p_4;
        end
    end else begin : g_fabric
        reg [A_BITS-1:0] a_0;
        reg [B_BITS-1:0] b_0;
        /* verilator lint_off UNUSEDSIGNAL */
        wire signed [17:0] b_lo = {1'b0, b_0[16:0]};  // (the serial form selects it from b)
        /* verilator lint_on UNUSEDSIGNAL */
        wire signed [BH_BITS-1:0] b_hi = b_0[B_BITS-1:17];

        if (CYCLES == 2) begin : g_serial
            // operands held between loads; the multiplier's b input register alternates between
            // the low part (after a load) and the high part (sign-extended to 18 bits)
            reg signed [17:0] b_sel_0;
            always @(posedge clk) begin
                if (ce) begin
                    if (load) begin
                        a_0 <= a;
                        b_0 <= b;
                        b_sel_0 <= {1'b0, b[16:0]};
                    end else begin
                        b_sel_0 <= {{(18-BH_BITS){b_hi[BH_BITS-1]}}, b_hi};
                    end
                end
            end
            wire signed [A_BITS-1:0] a_s = a_0;
            wire signed [A_BITS+17:0] mul_sel = a_s * b_sel_0;
            reg [A_BITS+17:0] m_1;
            reg [A_BITS+16:0] lo_2;  // a * b_lo fits A_BITS + 17 bits
            reg [P_BITS-1:0] p_3;
            wire [P_BITS-1:0] lo_ext = {{BH_BITS{lo_2[A_BITS+16]}}, lo_2};
            /* verilator lint_off UNUSEDSIGNAL */
            wire [A_BITS+34:0] hi_wide = {m_1, 17'd0};  // a * b_hi fits A_BITS + BH_BITS bits
            /* verilator lint_on UNUSEDSIGNAL */
            always @(posedge clk) begin
                if (ce) begin
                    m_1 <= mul_sel;
                    lo_2 <= m_1[A_BITS+16:0];
                    p_3 <= lo_ext + hi_wide[P_BITS-1:0];
                end
            end
            assign p = p_3;
        end else begin : g_parallel
            /* verilator lint_off UNUSEDSIGNAL */
            wire unused_load = load;
            /* verilator lint_on UNUSEDSIGNAL */
            always @(posedge clk) begin
                if (ce) begin
                    a_0 <= a;
                    b_0 <= b;
                end
            end
        end

        if (CYCLES == 1 && A_BITS <= 25) begin : g_two
            wire signed [A_BITS-1:0] a_s = a_0;
            /* verilator lint_off UNUSEDSIGNAL */
            wire signed [A_BITS+17:0] mul_lo = a_s * b_lo;
            /* verilator lint_on UNUSEDSIGNAL */
            wire signed [A_BITS+BH_BITS-1:0] mul_hi = a_s * b_hi;
            reg [A_BITS+16:0] lo_1, lo_2;  // a * b_lo fits A_BITS + 17 bits
            reg [A_BITS+BH_BITS-1:0] hi_1, hi_2;
            reg [P_BITS-1:0] p_3;
            // lo sign-extended, hi shifted up by 17 (both exact in P_BITS)
            wire [P_BITS-1:0] lo_ext = {{BH_BITS{lo_2[A_BITS+16]}}, lo_2};
            wire [P_BITS-1:0] hi_ext = {hi_2, 17'd0};
            always @(posedge clk) begin
                if (ce) begin
                    lo_1 <= mul_lo[A_BITS+16:0];
                    hi_1 <= mul_hi;
                    lo_2 <= lo_1;
                    hi_2 <= hi_1;
                    p_3 <= lo_ext + hi_ext;
                end
            end
            assign p = p_3;
        end else if (FOUR) begin : g_four
            wire signed [17:0] a_lo = {1'b0, a_0[16:0]};
            wire signed [AH_BITS-1:0] a_hi = a_0[A_BITS-1:17];
            /* verilator lint_off UNUSEDSIGNAL */
            wire signed [35:0] mul_ll = a_lo * b_lo;
            wire signed [AH_BITS+17:0] mul_hl = a_hi * b_lo;
            wire signed [BH_BITS+17:0] mul_lh = a_lo * b_hi;
            /* verilator lint_on UNUSEDSIGNAL */
            wire signed [AH_BITS+BH_BITS-1:0] mul_hh = a_hi * b_hi;
            reg [33:0] ll_1;
            reg [AH_BITS+16:0] hl_1;
            reg [BH_BITS+16:0] lh_1;
            reg [AH_BITS+BH_BITS-1:0] hh_1;
            always @(posedge clk) begin
                if (ce) begin
                    ll_1 <= mul_ll[33:0];
                    hl_1 <= mul_hl[AH_BITS+16:0];
                    lh_1 <= mul_lh[BH_BITS+16:0];
                    hh_1 <= mul_hh;
                end
            end
            assign ll_2 = ll_1;
            assign hl_2 = hl_1;
            assign lh_2 = lh_1;
            assign hh_2 = hh_1;
        end
    end

    if (FOUR) begin : g_four_sum
        // stage 3: the outer products side by side (they do not overlap), the middle ones
        // summed; stage 4: outer + (middle << 17)
        reg [P_BITS-1:0] outer_3;
        reg [MID_BITS-1:0] mid_3;
        reg [P_BITS-1:0] p_4;
        wire [MID_BITS-1:0] hl_ext = {{(MID_BITS-AH_BITS-17){hl_2[AH_BITS+16]}}, hl_2};
        wire [MID_BITS-1:0] lh_ext = {{(MID_BITS-BH_BITS-17){lh_2[BH_BITS+16]}}, lh_2};
        // the middle sum at bit 17, sign-extended to P_BITS (it fits: the full product does)
        /* verilator lint_off UNUSEDSIGNAL */
        wire [P_BITS+MID_BITS-1:0] mid_wide = {{P_BITS{mid_3[MID_BITS-1]}}, mid_3};
        /* verilator lint_on UNUSEDSIGNAL */
        wire [P_BITS-1:0] mid_ext = {mid_wide[P_BITS-18:0], 17'd0};
        always @(posedge clk) begin
            if (ce) begin
                outer_3 <= {hh_2, ll_2};
                mid_3 <= hl_ext + lh_ext;
                p_4 <= outer_3 + mid_ext;
            end
        end
        assign p = p_4;
    end
endgenerate

endmodule

`resetall
