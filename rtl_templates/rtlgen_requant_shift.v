// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * rtlgen_requant_shift: integer scale-shift requantizer (the first seed document's scheme,
 * docs/network-format.md), bit-exact with rtlgen::scale_shift_requantize:
 *
 *   x = acc + bias[c]                       (ACC_BITS: the generator's worst case holds it)
 *   p = x * MULT                            (PROD_BITS, likewise)
 *   q = p >>> SHIFT, rounded: ROUNDING 0 = floor, 1 = half up, 2 = half even
 *   y = clamp(q + OUT_ZP, ACT_MIN, ACT_MAX), OUT_BITS wide (two's complement or unsigned)
 *
 * The rounding needs no adder: with r = p mod 2^SHIFT, half up adds r[SHIFT-1], half even adds
 * r[SHIFT-1] && (r[SHIFT-2:0] != 0 || q[0]); the increment joins the zero-point adder.
 *
 * PARAM_FILE has CHANNELS/PE lines, one per group of PE channels: PE x 32-bit biases, lane p
 * (channel g*PE + p) at bits [p*32 +: 32] (lane PE-1 first in the hex text), one read port.
 *
 * Input:  PE lanes of ACC_BITS signed per beat; lane p of beat j is channel
 *         (j mod (CHANNELS/PE))*PE + p.
 * Output: PE elements of OUT_BITS per beat (element p at m_axis_tdata[p*OUT_BITS +: OUT_BITS]).
 *
 * Pipeline: 7 stages (bias ROM read, ROM output register, bias add, multiply, shift with the
 * rounding bit, increment + zero point, clamp): the ROM port, the adder and the multiplier each
 * sit between registers of their own. 1 beat per cycle; all stages share one clock enable
 * (!m_axis_tvalid || m_axis_tready), which is also s_axis_tready.
 */
module rtlgen_requant_shift #
(
    // Lanes per beat (divides CHANNELS)
    parameter PE = 1,
    // Number of channels (>= 1)
    parameter CHANNELS = 1,
    // Width of the accumulator and of acc + bias (signed, 2..48)
    parameter ACC_BITS = 32,
    // Width of (acc + bias) * MULT (signed, ACC_BITS+1 .. 64)
    parameter PROD_BITS = 40,
    // $readmemh file of CHANNELS/PE words of PE x 32-bit biases ("" = all zero)
    parameter PARAM_FILE = "",
    // Multiplier S (signed, |S| < 2^31, non-zero)
    parameter MULT = 1,
    // Right shift k (0 .. PROD_BITS-1)
    parameter SHIFT = 0,
    // Rounding of the shift: 0 = floor, 1 = half up, 2 = half even
    parameter ROUNDING = 0,
    // Output zero point (signed 32-bit)
    parameter OUT_ZP = 0,
    // Lower clamp bound (signed 32-bit, inside the output type)
    parameter ACT_MIN = 0,
    // Upper clamp bound (signed 32-bit, inside the output type, >= ACT_MIN)
    parameter ACT_MAX = 255,
    // Output element width (2..32)
    parameter OUT_BITS = 8,
    // Output type: 1 = signed, 0 = unsigned
    parameter OUT_SIGNED = 0
)
(
    input  wire                      clk,
    input  wire                      rst,

    input  wire [PE*ACC_BITS-1:0]    s_axis_tdata,
    input  wire                      s_axis_tvalid,
    output wire                      s_axis_tready,

    output wire [PE*OUT_BITS-1:0]    m_axis_tdata,
    output wire                      m_axis_tvalid,
    input  wire                      m_axis_tready
);

localparam GROUPS = CHANNELS / PE;
localparam GA_W = GROUPS > 1 ? $clog2(GROUPS) : 1;
localparam STAGES = 7;
// shifted product, and the exact sum with the zero point (room for the clamp compare)
localparam QW = PROD_BITS - SHIFT;
localparam YW = (QW > 33 ? QW : 33) + 2;

localparam [31:0] LAST_GROUP_32 = GROUPS - 1;
localparam [GA_W-1:0] LAST_GROUP = LAST_GROUP_32[GA_W-1:0];
localparam [31:0] MULT_32 = MULT;
localparam [31:0] OUT_ZP_32 = OUT_ZP;
localparam [31:0] ACT_MIN_32 = ACT_MIN;
localparam [31:0] ACT_MAX_32 = ACT_MAX;

// sign-extended constants (wires: Verilator rejects concatenations of parameters)
/* verilator lint_off UNUSEDSIGNAL */
wire [31:0] mult_32 = MULT_32;   // PROD_BITS may hold fewer bits: the product fits (generator)
/* verilator lint_on UNUSEDSIGNAL */
wire [31:0] out_zp_32 = OUT_ZP_32;
wire [31:0] act_min_32 = ACT_MIN_32;
wire [31:0] act_max_32 = ACT_MAX_32;
wire [YW-1:0] out_zp_y = {{(YW-32){out_zp_32[31]}}, out_zp_32};
wire [YW-1:0] act_min_y = {{(YW-32){act_min_32[31]}}, act_min_32};
wire [YW-1:0] act_max_y = {{(YW-32){act_max_32[31]}}, act_max_32};

// bad parameters
initial begin
`ifndef SYNTHESIS
    if (PE < 1 || CHANNELS < 1 || CHANNELS % PE != 0) begin
        $error("%m: PE (%0d) must divide CHANNELS (%0d)", PE, CHANNELS);
        $finish;
    end
    if (ACC_BITS < 2 || ACC_BITS > 48) begin
        $error("%m: ACC_BITS (%0d) must be 2..48", ACC_BITS);
        $finish;
    end
    if (PROD_BITS <= ACC_BITS || PROD_BITS > 64) begin
        $error("%m: PROD_BITS (%0d) must be ACC_BITS+1 .. 64", PROD_BITS);
        $finish;
    end
    if (SHIFT < 0 || SHIFT >= PROD_BITS) begin
        $error("%m: SHIFT (%0d) must be 0 .. PROD_BITS-1", SHIFT);
        $finish;
    end
    if (ROUNDING < 0 || ROUNDING > 2) begin
        $error("%m: ROUNDING (%0d) must be 0 (floor), 1 (half up) or 2 (half even)", ROUNDING);
        $finish;
    end
    if (MULT == 0) begin
        $error("%m: MULT must be non-zero");
        $finish;
    end
    if (OUT_BITS < 2 || OUT_BITS > 32) begin
        $error("%m: OUT_BITS (%0d) must be 2..32", OUT_BITS);
        $finish;
    end
    if (ACT_MIN > ACT_MAX) begin
        $error("%m: ACT_MIN (%0d) > ACT_MAX (%0d)", ACT_MIN, ACT_MAX);
        $finish;
    end
    /* verilator lint_off WIDTH */
    if ((OUT_SIGNED != 0 && OUT_BITS < 32 &&
         (ACT_MIN < -(64'sd1 <<< (OUT_BITS - 1)) || ACT_MAX > (64'sd1 <<< (OUT_BITS - 1)) - 1)) ||
        (OUT_SIGNED == 0 && (ACT_MIN < 0 || (OUT_BITS < 32 && ACT_MAX > (64'sd1 <<< OUT_BITS) - 1)))) begin
        $error("%m: ACT_MIN (%0d) .. ACT_MAX (%0d) outside the %0d-bit output type", ACT_MIN,
               ACT_MAX, OUT_BITS);
        $finish;
    end
    /* verilator lint_on WIDTH */
`endif
end

// bias ROM: one word of PE x 32 bits per channel group, one synchronous read port
(* rom_style = "block" *) (* ramstyle = "M10K" *)
reg [PE*32-1:0] bias_rom [0:GROUPS-1];

integer i;
initial begin
    for (i = 0; i < GROUPS; i = i + 1) begin
        bias_rom[i] = {PE*32{1'b0}};
    end
    if (PARAM_FILE != "") begin
        $readmemh(PARAM_FILE, bias_rom);
    end
end

reg [STAGES-1:0] valid_pipe = {STAGES{1'b0}};
wire ce = !valid_pipe[STAGES-1] || m_axis_tready;
wire accept = ce && s_axis_tvalid;

// channel group of the next input beat; its biases in stage 1 (ROM port) and 2 (register)
reg [GA_W-1:0] group_reg = {GA_W{1'b0}};
reg [PE*32-1:0] bias_word_1 = {PE*32{1'b0}};
reg [PE*32-1:0] bias_word_2 = {PE*32{1'b0}};

always @(posedge clk) begin
    if (ce) begin
        valid_pipe <= {valid_pipe[STAGES-2:0], s_axis_tvalid};
        bias_word_1 <= bias_rom[group_reg];
        bias_word_2 <= bias_word_1;
    end
    if (accept) begin
        group_reg <= (GROUPS == 1 || group_reg == LAST_GROUP) ? {GA_W{1'b0}} : group_reg + 1'b1;
    end
    if (rst) begin
        valid_pipe <= {STAGES{1'b0}};
        group_reg <= {GA_W{1'b0}};
    end
end

genvar p;
generate
    for (p = 0; p < PE; p = p + 1) begin : lane
        reg [ACC_BITS-1:0] acc_1 = {ACC_BITS{1'b0}};
        reg [ACC_BITS-1:0] acc_2 = {ACC_BITS{1'b0}};
        reg signed [ACC_BITS-1:0] x_3 = {ACC_BITS{1'b0}};
        /* verilator lint_off UNUSEDSIGNAL */
        reg signed [PROD_BITS-1:0] p_4 = {PROD_BITS{1'b0}};   // low bits: rounding only
        /* verilator lint_on UNUSEDSIGNAL */
        reg [QW-1:0] q_5 = {QW{1'b0}};
        reg up_5 = 1'b0;
        reg [YW-1:0] y_6 = {YW{1'b0}};
        reg [OUT_BITS-1:0] out_7 = {OUT_BITS{1'b0}};

        /* verilator lint_off UNUSEDSIGNAL */
        wire [31:0] bias_2 = bias_word_2[p*32 +: 32];   // fits ACC_BITS (generator)
        /* verilator lint_on UNUSEDSIGNAL */
        /* verilator lint_off WIDTH */
        wire signed [ACC_BITS-1:0] bias_x = $signed(bias_2);
        wire signed [PROD_BITS-1:0] mult_p = $signed(mult_32);
        /* verilator lint_on WIDTH */
        wire signed [PROD_BITS-1:0] x_p = {{(PROD_BITS-ACC_BITS){x_3[ACC_BITS-1]}}, x_3};
        wire signed [PROD_BITS-1:0] prod_3 = x_p * mult_p;
        wire [QW-1:0] q_4 = p_4[PROD_BITS-1:SHIFT];
        wire up_4;
        if (SHIFT == 0 || ROUNDING == 0) begin : g_floor
            assign up_4 = 1'b0;
        end else if (ROUNDING == 1 || SHIFT == 1) begin : g_half
            // half up; half even with SHIFT 1 adds the half only when q is odd
            assign up_4 = p_4[SHIFT-1] && (ROUNDING == 1 || q_4[0]);
        end else begin : g_even
            assign up_4 = p_4[SHIFT-1] && (|p_4[SHIFT-2:0] || q_4[0]);
        end
        wire [YW-1:0] q_y = {{(YW-QW){q_5[QW-1]}}, q_5};

        always @(posedge clk) begin
            if (ce) begin
                acc_1 <= s_axis_tdata[p*ACC_BITS +: ACC_BITS];
                acc_2 <= acc_1;
                x_3 <= $signed(acc_2) + bias_x;
                p_4 <= prod_3;
                q_5 <= q_4;
                up_5 <= up_4;
                y_6 <= q_y + out_zp_y + {{(YW-1){1'b0}}, up_5};
                if ($signed(y_6) < $signed(act_min_y)) begin
                    out_7 <= act_min_y[OUT_BITS-1:0];
                end else if ($signed(y_6) > $signed(act_max_y)) begin
                    out_7 <= act_max_y[OUT_BITS-1:0];
                end else begin
                    out_7 <= y_6[OUT_BITS-1:0];
                end
            end
        end

        assign m_axis_tdata[p*OUT_BITS +: OUT_BITS] = out_7;
    end
endgenerate

assign s_axis_tready = ce;
assign m_axis_tvalid = valid_pipe[STAGES-1];

endmodule

`resetall
