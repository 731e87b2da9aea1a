/*

rtlgen: channel concatenation of N_IN streams

*/

// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * CONCATENATION along the channels of N_IN pixel streams in HWC order: every output pixel is
 * the channels of input 0, then those of input 1, ..., then those of input N_IN-1. Values pass
 * unchanged: an input whose quantization differs from the output's is requantized before it
 * arrives (rtlgen_remap).
 *
 * Layout. Input i carries IN_N[i] elements per beat and IN_BEATS[i] beats per pixel (its
 * channels = IN_N[i] * IN_BEATS[i]); the output carries N elements per beat. Each output beat is
 * either one beat of a single input (IN_N[i] = N; such an input may take several beats per
 * pixel) or one whole pixel of each of a run of consecutive inputs (IN_BEATS = 1, their IN_N
 * summing to N), side by side with the earlier input in the lower elements. Walking the inputs
 * in order gives each one its first output beat FIRST(i) and element offset OFF(i) within it;
 * the pixel has BEATS output beats. The generator uses two layouts: all inputs at one width N
 * (the output as wide as the widest beat that divides every input's channels: A's beats, then
 * B's, ...) and all inputs whole pixels (N = the output's channels, one beat per pixel, when the
 * first layout would be slower than the stages before it); the template checks any layout.
 *
 * A beat counter over one pixel's BEATS output beats selects the inputs of the current beat:
 *
 *   sel[i]           = FIRST(i) <= beat < FIRST(i) + IN_BEATS[i]
 *   m_axis_tvalid    = every selected input valid
 *   s_axis_tready[i] = sel[i] && m_axis_tready && every other selected input valid
 *   m_axis_tdata     = the selected inputs' data, input i at element OFF(i)
 *
 * The selected inputs' tdata/tvalid pass combinationally (combinational paths as allowed by
 * docs/rtl-architecture.md; the stage after it registers). No tready depends on the same
 * stream's tvalid, so there is no combinational loop.
 *
 * Latency: 0 cycles. Throughput: one output beat per cycle when the selected inputs are valid
 * and the output ready.
 */
module rtlgen_concat #
(
    // Number of inputs (>= 2)
    parameter N_IN = 2,
    // Elements per output beat (>= 1)
    parameter N = 1,
    // Bits per element (>= 1)
    parameter ELEM_BITS = 8,
    // Elements per beat of input i at bits [i*32 +: 32] (>= 1)
    parameter [N_IN*32-1:0] IN_N = {N_IN{32'd1}},
    // Beats per pixel of input i at bits [i*32 +: 32] (>= 1; > 1 only when IN_N[i] = N)
    parameter [N_IN*32-1:0] IN_BEATS = {N_IN{32'd1}}
)
(
    input  wire                             clk,
    input  wire                             rst,

    /*
     * Inputs, input i at s_axis_tdata[ELEM_BITS*(IN_N[0]+..+IN_N[i-1]) +: ELEM_BITS*IN_N[i]]
     * (input 0 in the low bits), s_axis_tvalid[i], s_axis_tready[i]
     */
    input  wire [in_base(N_IN)*ELEM_BITS-1:0] s_axis_tdata,
    input  wire [N_IN-1:0]                  s_axis_tvalid,
    output wire [N_IN-1:0]                  s_axis_tready,

    /*
     * Output: BEATS beats per pixel
     */
    output wire [N*ELEM_BITS-1:0]           m_axis_tdata,
    output wire                             m_axis_tvalid,
    input  wire                             m_axis_tready
);

function integer in_n;
    input integer i;
    begin
        in_n = IN_N[i*32 +: 32];
    end
endfunction

function integer in_beats;
    input integer i;
    begin
        in_beats = IN_BEATS[i*32 +: 32];
    end
endfunction

// elements of the inputs before input k in s_axis_tdata
function integer in_base;
    input integer k;
    integer i;
    begin
        in_base = 0;
        for (i = 0; i < k; i = i + 1)
            in_base = in_base + in_n(i);
    end
endfunction

// The layout walk up to input k: what = 0 gives FIRST(k) (k = N_IN: BEATS), what = 1 gives
// OFF(k) (k = N_IN: the elements left in an unfinished last beat, 0 for a valid layout), what =
// 2 gives 1 if inputs 0 .. k-1 break the layout rules.
function integer walk;
    input integer k;
    input integer what;
    integer i, beat, fill, bad;
    begin
        beat = 0;
        fill = 0;
        bad = 0;
        for (i = 0; i < k; i = i + 1) begin
            if (in_n(i) < 1 || in_beats(i) < 1)
                bad = 1;
            if (in_beats(i) > 1) begin
                if (fill != 0 || in_n(i) != N)
                    bad = 1;
                beat = beat + in_beats(i);
            end else begin
                fill = fill + in_n(i);
                if (fill > N)
                    bad = 1;
                if (fill >= N) begin
                    beat = beat + 1;
                    fill = 0;
                end
            end
        end
        walk = what == 0 ? beat : what == 1 ? fill : bad;
    end
endfunction

localparam BEATS = walk(N_IN, 0);
localparam CW = BEATS > 1 ? $clog2(BEATS) : 1;

// bad parameters
initial begin
`ifndef SYNTHESIS
    if (N_IN < 2) begin
        $error("%m: N_IN (%0d) must be >= 2", N_IN);
        $finish;
    end
    if (N < 1) begin
        $error("%m: N (%0d) must be >= 1", N);
        $finish;
    end
    if (ELEM_BITS < 1) begin
        $error("%m: ELEM_BITS (%0d) must be >= 1", ELEM_BITS);
        $finish;
    end
    if (walk(N_IN, 2) != 0 || walk(N_IN, 1) != 0) begin
        $error("%m: IN_N / IN_BEATS (%0h / %0h) do not lay out into beats of N = %0d elements: each output beat is one beat of one input (IN_N = N) or whole pixels (IN_BEATS = 1) of consecutive inputs filling N",
               IN_N, IN_BEATS, N);
        $finish;
    end
`endif
end

// output beat within the current pixel, 0 .. BEATS-1
reg [CW-1:0] beat_reg = {CW{1'b0}};
// the counter zero-extended to compare with the integer constants (constant bits fold away)
wire [31:0] beat = {{(32-CW){1'b0}}, beat_reg};

wire [N_IN-1:0] sel;
// per input: not selected, or valid (the output beat needs it no further)
wire [N_IN-1:0] ok = ~sel | s_axis_tvalid;
wire m_valid = &ok;
wire m_fire = m_valid && m_axis_tready;

// per input its data at its element offset, zero when not selected; OR-ed into the output
wire [N_IN*N*ELEM_BITS-1:0] placed;

genvar g;
generate
    for (g = 0; g < N_IN; g = g + 1) begin : g_in
        localparam [31:0] FIRST = walk(g, 0);
        localparam [31:0] LAST = walk(g, 0) + in_beats(g) - 1;
        localparam OFF = walk(g, 1);
        localparam W = in_n(g) * ELEM_BITS;
        localparam BASE = in_base(g) * ELEM_BITS;
        // ok with this input's own term forced: the other selected inputs are valid
        wire [N_IN-1:0] others = ok | ({{(N_IN-1){1'b0}}, 1'b1} << g);

        if (FIRST == 0) begin : g_first
            assign sel[g] = beat <= LAST;
        end else begin : g_later
            assign sel[g] = beat >= FIRST && beat <= LAST;
        end
        assign s_axis_tready[g] = sel[g] && m_axis_tready && &others;

        wire [N*ELEM_BITS-1:0] at_off;
        if (OFF * ELEM_BITS + W < N * ELEM_BITS) begin : g_pad_hi
            assign at_off[N*ELEM_BITS-1:OFF*ELEM_BITS+W] = {(N*ELEM_BITS-OFF*ELEM_BITS-W){1'b0}};
        end
        if (OFF > 0) begin : g_pad_lo
            assign at_off[OFF*ELEM_BITS-1:0] = {(OFF*ELEM_BITS){1'b0}};
        end
        assign at_off[OFF*ELEM_BITS +: W] = s_axis_tdata[BASE +: W];
        assign placed[g*N*ELEM_BITS +: N*ELEM_BITS] = sel[g] ? at_off : {N*ELEM_BITS{1'b0}};
    end
endgenerate

// OR of the placed inputs (a selected input's elements never overlap another's)
reg [N*ELEM_BITS-1:0] m_data;
integer k;

always @* begin
    m_data = {N*ELEM_BITS{1'b0}};
    for (k = 0; k < N_IN; k = k + 1)
        m_data = m_data | placed[k*N*ELEM_BITS +: N*ELEM_BITS];
end

always @(posedge clk) begin
    if (m_fire) begin
        beat_reg <= beat == BEATS - 1 ? {CW{1'b0}} : beat_reg + 1'b1;
    end
    if (rst) begin
        beat_reg <= {CW{1'b0}};
    end
end

assign m_axis_tvalid = m_valid;
assign m_axis_tdata = m_data;

endmodule

`resetall
