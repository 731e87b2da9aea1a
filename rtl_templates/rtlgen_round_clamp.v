/*

rtlgen: output zero point, rounding increment and activation clamp of a requantizer

*/

// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * The last three stages of TFLite's requantization in rtlgen_add (rtlgen_requant has the same
 * stages inline, with per-layer constants):
 * out = clamp(q + up + OUT_ZP, ACT_MIN, ACT_MAX), q the 32-bit RDBPOT quotient (two's
 * complement), up its rounding increment (0 or 1), everything exact for every 32-bit q.
 *
 * The stages work on 12 bits: a quotient outside [-1024, 1023] clamps whatever the zero point and
 * the increment (q + OUT_ZP + up stays beyond [-128, 255]), so only its low 11 bits and a flag
 * (with q's sign) travel on, and the zero point, increment and clamp are 12-bit carry chains
 * instead of 34-bit ones: a 34-bit add and two 34-bit compares in series held rtlgen_add at
 * 145 MHz on an LFE5U-85F-6.
 *
 * Timing: q is registered by the user in its stage S, up in stage S + 1 (the user computes it
 * from q's stage in parallel with this module's first stage); out is registered in stage S + 3.
 * All registers load on ce.
 */
module rtlgen_round_clamp #
(
    // output zero point (-128..255)
    parameter OUT_ZP = 0,
    // lowest output value (-128..255, <= ACT_MAX)
    parameter ACT_MIN = -128,
    // highest output value (-128..255)
    parameter ACT_MAX = 127
)
(
    input  wire        clk,
    // clock enable of every stage
    input  wire        ce,

    // quotient, stage S (a register of the user)
    input  wire [31:0] q,
    // its rounding increment, stage S + 1 (a register of the user)
    input  wire        up,
    // clamped output byte, stage S + 3
    output wire [7:0]  out
);

// bad parameters
initial begin
`ifndef SYNTHESIS
    if (OUT_ZP < -128 || OUT_ZP > 255) begin
        $error("%m: OUT_ZP (%0d) must lie in -128..255", OUT_ZP);
        $finish;
    end
    if (ACT_MIN < -128 || ACT_MAX > 255 || ACT_MIN > ACT_MAX) begin
        $error("%m: ACT_MIN..ACT_MAX (%0d..%0d) must be a range within -128..255", ACT_MIN,
               ACT_MAX);
        $finish;
    end
`endif
end

// Constants as 12-bit signed values; wires: Verilator rejects concatenations of parameters.
localparam [31:0] OUT_ZP_32 = OUT_ZP;
localparam [31:0] ACT_MIN_32 = ACT_MIN;
localparam [31:0] ACT_MAX_32 = ACT_MAX;
/* verilator lint_off UNUSEDSIGNAL */
wire [31:0] out_zp_32 = OUT_ZP_32;
wire [31:0] act_min_32 = ACT_MIN_32;
wire [31:0] act_max_32 = ACT_MAX_32;
/* verilator lint_on UNUSEDSIGNAL */
wire [11:0] out_zp_12 = out_zp_32[11:0];
wire [11:0] act_min_12 = act_min_32[11:0];
wire [11:0] act_max_12 = act_max_32[11:0];

// stage S + 1: low 11 bits of q (sign-extended to 12) + zero point; |q| >= 1024 and q's sign
reg [11:0] qz_1;
reg big_1;
reg neg_1;
// stage S + 2: + up, exact when !big_2
reg [11:0] y_2;
reg big_2;
reg neg_2;
// stage S + 3: clamped
reg [7:0] out_3;

wire [11:0] q_low = {q[10], q[10:0]};

always @(posedge clk) begin
    if (ce) begin
        qz_1 <= q_low + out_zp_12;
        big_1 <= q[31:10] != {22{q[10]}};
        neg_1 <= q[31];
        y_2 <= qz_1 + {11'd0, up};
        big_2 <= big_1;
        neg_2 <= neg_1;
        if (big_2 ? neg_2 : $signed(y_2) < $signed(act_min_12)) begin
            out_3 <= act_min_12[7:0];
        end else if (big_2 || $signed(y_2) > $signed(act_max_12)) begin
            out_3 <= act_max_12[7:0];
        end else begin
            out_3 <= y_2[7:0];
        end
    end
end

assign out = out_3;

endmodule

`resetall
