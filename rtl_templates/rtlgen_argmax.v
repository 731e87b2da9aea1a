/*

rtlgen: running argmax output stage

*/

// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Argmax output stage: passes the stream through unchanged (tdata, tlast; one register stage)
 * and adds m_axis_tuser = index of the maximum element of the current frame seen so far,
 * including the output beat itself. On the tlast beat it is the argmax of the whole frame.
 *
 * Element i of beat b of a frame has index b*N + i. Ties: the lowest index wins (numpy /
 * TFLite ARG_MAX). Elements are int8 (SIGNED = 1) or uint8 (SIGNED = 0).
 *
 * Framing: frame boundaries come from s_axis_tlast (the beat after a tlast beat starts a new
 * frame, index 0); the module has no beat counter. BEATS (the expected frame length) only
 * checks that IDX_BITS can hold every index; frames of another length are handled correctly
 * as long as their indices fit IDX_BITS. A frame without tlast keeps counting (indices wrap
 * modulo 2^IDX_BITS).
 *
 * Structure: a binary comparison tree over the beat's N elements (the left, lower-index operand
 * wins ties) with one register stage per level, combined with the running maximum of the
 * earlier beats of the frame (which wins ties), then the output register. The elements enter
 * the tree with their frame indices (a counter of the input beats plus the element's position),
 * so the last stage holds one compare and one selection, not also the index addition.
 *
 * Latency: 1 + ceil(log2(N)) cycles. Throughput: one beat per cycle. s_axis_tready = !m_axis_tvalid ||
 * m_axis_tready (combinational ready path, as allowed by docs/rtl-architecture.md).
 */
module rtlgen_argmax #
(
    // Elements per beat (>= 1)
    parameter N = 10,
    // Beats per frame (>= 1); only used to check IDX_BITS (framing comes from tlast)
    parameter BEATS = 1,
    // Element type: 1 = int8, 0 = uint8
    parameter SIGNED = 1,
    // Width of m_axis_tuser in bits (1..32, 2^IDX_BITS >= N*BEATS)
    parameter IDX_BITS = 4,
    // Element width in bits (8; wider for the scale-shift scheme's logits, up to 32)
    parameter ELEM_BITS = 8
)
(
    input  wire                   clk,
    input  wire                   rst,

    /*
     * Input stream (e.g. the network's logits), frame ends marked by tlast
     */
    input  wire [N*ELEM_BITS-1:0] s_axis_tdata,
    input  wire                   s_axis_tvalid,
    output wire                   s_axis_tready,
    input  wire                   s_axis_tlast,

    /*
     * The same stream, tuser = running argmax of the frame
     */
    output wire [N*ELEM_BITS-1:0] m_axis_tdata,
    output wire                   m_axis_tvalid,
    input  wire                   m_axis_tready,
    output wire                   m_axis_tlast,
    output wire [IDX_BITS-1:0]    m_axis_tuser
);

// compared values: the element widened by one bit (signed or unsigned elements alike)
localparam VW = ELEM_BITS + 1;
// comparison tree levels
localparam LEVELS = N > 1 ? $clog2(N) : 0;

localparam [31:0] N_32 = N;
localparam [IDX_BITS-1:0] N_IDX = N_32[IDX_BITS-1:0];

// tree nodes: level 0 = N elements, level l = ceil(N / 2^l) nodes
function integer tree_nodes(input integer lvl);
    begin
        tree_nodes = (N + (1 << lvl) - 1) >> lvl;
    end
endfunction

// bad parameters
initial begin
`ifndef SYNTHESIS
    if (N < 1 || BEATS < 1) begin
        $error("%m: N (%0d) and BEATS (%0d) must be >= 1", N, BEATS);
        $finish;
    end
    if (IDX_BITS < 1 || IDX_BITS > 32) begin
        $error("%m: IDX_BITS (%0d) must be 1..32", IDX_BITS);
        $finish;
    end
    if (IDX_BITS < 31 && N * BEATS > (1 << IDX_BITS)) begin
        $error("%m: IDX_BITS (%0d) too small for N*BEATS = %0d indices", IDX_BITS, N * BEATS);
        $finish;
    end
`endif
end

// common clock enable of every stage: the output register is empty or being emptied
reg m_valid_reg = 1'b0;
wire en = !m_valid_reg || m_axis_tready;

// frame index of element 0 of the next input beat (0 after a tlast beat)
reg [IDX_BITS-1:0] base_in_reg = {IDX_BITS{1'b0}};
always @(posedge clk) begin
    if (en && s_axis_tvalid) begin
        base_in_reg <= s_axis_tlast ? {IDX_BITS{1'b0}} : base_in_reg + N_IDX;
    end
    if (rst) begin
        base_in_reg <= {IDX_BITS{1'b0}};
    end
end

/*
 * Comparison tree over the input beat (VW-bit signed values, local indices), one register stage
 * per level; level l has tree_nodes(l) nodes, level 0 = the N elements of the input beat,
 * level LEVELS = the beat's maximum. The beat's data, tlast and valid travel alongside.
 */
genvar l, i;
generate
    for (l = 0; l <= LEVELS; l = l + 1) begin : level
        wire [tree_nodes(l)*VW-1:0] val;
        wire [tree_nodes(l)*IDX_BITS-1:0] idx;
        wire [N*ELEM_BITS-1:0] data;
        wire valid;
        wire last;
        if (l == 0) begin : leaves
            for (i = 0; i < N; i = i + 1) begin : leaf
                localparam [31:0] I_32 = i;
                wire [ELEM_BITS-1:0] x = s_axis_tdata[i*ELEM_BITS +: ELEM_BITS];
                assign val[i*VW +: VW] = {(SIGNED != 0) & x[ELEM_BITS-1], x};
                // frame index b*N + i (modulo 2^IDX_BITS)
                assign idx[i*IDX_BITS +: IDX_BITS] = base_in_reg + I_32[IDX_BITS-1:0];
            end
            assign data = s_axis_tdata;
            assign valid = s_axis_tvalid;
            assign last = s_axis_tlast;
        end else begin : nodes
            reg [tree_nodes(l)*VW-1:0] val_reg;
            reg [tree_nodes(l)*IDX_BITS-1:0] idx_reg;
            reg [N*ELEM_BITS-1:0] data_reg;
            reg valid_reg = 1'b0;
            reg last_reg = 1'b0;
            for (i = 0; i < tree_nodes(l); i = i + 1) begin : node
                if (2*i + 1 < tree_nodes(l-1)) begin : cmp
                    wire signed [VW-1:0] va = level[l-1].val[(2*i)*VW +: VW];
                    wire signed [VW-1:0] vb = level[l-1].val[(2*i+1)*VW +: VW];
                    wire take_b = vb > va;
                    always @(posedge clk) begin
                        if (en) begin
                            val_reg[i*VW +: VW] <= take_b ? vb : va;
                            idx_reg[i*IDX_BITS +: IDX_BITS] <=
                                take_b ? level[l-1].idx[(2*i+1)*IDX_BITS +: IDX_BITS]
                                       : level[l-1].idx[(2*i)*IDX_BITS +: IDX_BITS];
                        end
                    end
                end else begin : pass
                    always @(posedge clk) begin
                        if (en) begin
                            val_reg[i*VW +: VW] <= level[l-1].val[(2*i)*VW +: VW];
                            idx_reg[i*IDX_BITS +: IDX_BITS] <=
                                level[l-1].idx[(2*i)*IDX_BITS +: IDX_BITS];
                        end
                    end
                end
            end
            always @(posedge clk) begin
                if (en) begin
                    data_reg <= level[l-1].data;
                    valid_reg <= level[l-1].valid;
                    last_reg <= level[l-1].last;
                end
                if (rst) begin
                    valid_reg <= 1'b0;
                end
            end
            assign val = val_reg;
            assign idx = idx_reg;
            assign data = data_reg;
            assign valid = valid_reg;
            assign last = last_reg;
        end
    end
endgenerate

wire signed [VW-1:0] beat_val = level[LEVELS].val;
wire [IDX_BITS-1:0] beat_idx = level[LEVELS].idx;
wire beat_valid = level[LEVELS].valid;
wire beat_last = level[LEVELS].last;

/*
 * Running maximum of the frame and output register
 */
reg m_last_reg = 1'b0;
reg [N*ELEM_BITS-1:0] m_data_reg;
reg [IDX_BITS-1:0] m_user_reg;

// Running maximum of the frame so far. Between frames it holds -2^ELEM_BITS, below every element
// value, so the first beat of a frame always wins: the compare alone decides, with no "first beat"
// term between it and the registers it selects for (the loop compare -> select -> best_val_reg is
// this module's critical path).
localparam [VW-1:0] BELOW_ALL = {1'b1, {(VW-1){1'b0}}};
reg signed [VW-1:0] best_val_reg = BELOW_ALL;
reg [IDX_BITS-1:0] best_idx_reg;

wire beat_fire = beat_valid && en;

wire take_beat = beat_val > best_val_reg;
wire [IDX_BITS-1:0] best_idx_next = take_beat ? beat_idx : best_idx_reg;

always @(posedge clk) begin
    if (beat_fire) begin
        best_val_reg <= beat_last ? BELOW_ALL : (take_beat ? beat_val : best_val_reg);
        best_idx_reg <= best_idx_next;
    end
    if (en) begin
        m_valid_reg <= beat_valid;
        m_last_reg <= beat_last;
        m_data_reg <= level[LEVELS].data;
        m_user_reg <= best_idx_next;
    end
    if (rst) begin
        best_val_reg <= BELOW_ALL;
        m_valid_reg <= 1'b0;
    end
end

assign s_axis_tready = en;
assign m_axis_tdata = m_data_reg;
assign m_axis_tvalid = m_valid_reg;
assign m_axis_tlast = m_last_reg;
assign m_axis_tuser = m_user_reg;

endmodule

`resetall
