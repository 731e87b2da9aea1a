// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * rtlgen_swg: sliding-window generator (line buffer)
 *
 * Turns an NHWC image stream (IN_N elements per beat, frames back to back) into the stream of
 * convolution / pooling windows, windows in (oy, ox) order.
 *
 * Input beats: IN_N divides IFM_C (IFM_C/IN_N beats per pixel), or IN_N is a multiple of IFM_C
 * (PPB = IN_N/IFM_C pixels per beat, PPB dividing IFM_W so that a beat never crosses a row):
 * element i of a beat is channel i % IFM_C of pixel w0 + i / IFM_C, i.e. plain NHWC order.
 *
 * ORDER 0 (convolution, tap-major): a window is the K_H*K_W*IFM_C vector in (ky, kx, c) order,
 *   SIMD elements per beat. SIMD divides IFM_C (IFM_C/SIMD beats per tap), or SIMD is a
 *   multiple of IFM_C dividing K_H*K_W*IFM_C (SIMD/IFM_C taps per beat).
 * ORDER 1 (pooling / depthwise, channel-major): for each chunk of SIMD channels (SIMD divides
 *   IFM_C), the K_H*K_W taps of that chunk in (ky, kx) order, one tap per beat.
 *
 * Out-of-image taps carry PAD_VALUE[7:0]. m_axis_tuser = every tap of the beat lies inside the
 * image (one tap per beat except ORDER 0 with SIMD > IFM_C). m_axis_tlast = last beat of a
 * window (for ORDER 1: last beat of the last channel chunk of the window).
 *
 * Structure: a line buffer of NROWS image rows (block RAM, or LUT RAM with MEM_STYLE = 1: one
 * write port, one registered read port whose output is registered again), written by the input side, read by
 * the window side. Pixel words (WORD_N = 0): a memory word holds PPB pixels (PPB*IFM_C
 * elements, PPB = 1 unless IN_N > IFM_C), IFM_W/PPB words per row, each row in a slot of
 * 2^ceil(log2(IFM_W/PPB)) words so that a word address is {slot, word column}: no multiply or
 * adder in front of the address; the input side writes one word per pixel (IN_N <= IFM_C) or
 * per beat (IN_N > IFM_C), the window side reads the word holding a tap and selects the tap's
 * pixel from the registered word (per-port row / column / slot registers stepping with the tap
 * counters, no division, no multiply). Chunk words (0 < WORD_N < IFM_C, one tap per beat,
 * IN_N <= IFM_C): a memory word holds WORD_N channels of one pixel (a multiple of SIMD and of
 * IN_N), IFM_C/WORD_N words per pixel in a column of 2^ceil(log2(IFM_C/WORD_N)) words, the
 * address {slot, column, chunk}; the input side writes a word every WORD_N/IN_N beats, the
 * window side reads the word holding the beat's SIMD channels (and selects them from it when
 * WORD_N > SIMD). A shallow wide buffer of whole pixels fills its block RAM poorly and costs a
 * wide chunk select; chunk words are deeper and as narrow as a beat needs.
 * NROWS = max(K_H + STRIDE_H + 1,
 * rows kept by the last output row + rows needed by the first output row), so that the next
 * STRIDE_H rows (or the next frame's first rows) load while the current windows are read.
 * With several taps per beat (TPB = SIMD / IFM_C > 1) the buffer is replicated TPB times, one
 * read port, column counter and pixel select per tap (meant for first layers with 1-3
 * channels; LUT RAM). Row counters run across frame boundaries: the rows of frame f+1 load
 * while the last windows of frame f (including bottom padding rows) are read. The input side
 * may write a row once its slot is no longer needed by the current output row; the window
 * side reads an output row once every input row it needs (clipped to the image) has been
 * completely written.
 *
 * Latency: the first beat of a frame's first window leaves 3 cycles after input row
 *   K_H - PAD_T - 1 (clipped to IFM_H - 1) of that frame has been completely written.
 * Throughput: one output beat per cycle whenever the needed rows are present and the consumer
 *   is ready; input accepted one beat per cycle (PPB pixels per cycle if IN_N > IFM_C)
 *   whenever a row slot is free. In steady state a frame takes max(input beats, output beats)
 *   cycles plus at most about one cycle per frame, with input beats = IFM_H*IFM_W*IFM_C/IN_N
 *   and output beats = OFM_H*OFM_W*K_H*K_W*IFM_C/SIMD.
 * m_axis_tready reaches s_axis_tready only through registered state; the read pipeline
 *   (3 stages) runs on the clock enable of an output skid register (rtlgen_skid), a register,
 *   and the window counters' end conditions are registers that step with the counters: the
 *   read side's decisions start from flip-flops, not from the consumer's ready.
 */
module rtlgen_swg #
(
    // input image height in pixels (>= 1)
    parameter IFM_H = 28,
    // input image width in pixels (>= 1)
    parameter IFM_W = 28,
    // input channels (>= 1)
    parameter IFM_C = 1,
    // kernel height in taps (1 .. IFM_H + PAD_T + PAD_B)
    parameter K_H = 5,
    // kernel width in taps (1 .. IFM_W + PAD_L + PAD_R)
    parameter K_W = 5,
    // vertical stride in pixels (>= 1)
    parameter STRIDE_H = 1,
    // horizontal stride in pixels (>= 1)
    parameter STRIDE_W = 1,
    // padding rows above the image (0 .. K_H-1)
    parameter PAD_T = 2,
    // padding rows below the image (0 .. K_H-1)
    parameter PAD_B = 2,
    // padding columns left of the image (0 .. K_W-1)
    parameter PAD_L = 2,
    // padding columns right of the image (0 .. K_W-1)
    parameter PAD_R = 2,
    // value of out-of-image taps (the input zero point, 32-bit signed, low ELEM_BITS bits used)
    parameter PAD_VALUE = 0,
    // elements per input beat (divides IFM_C, or IFM_C * PPB, PPB pixels per beat dividing IFM_W)
    parameter IN_N = 1,
    // elements per output beat (divides IFM_C, or ORDER 0 only: IFM_C * t dividing K_H*K_W*IFM_C)
    parameter SIMD = 25,
    // 0 = tap-major (convolution), 1 = channel-major (pooling / depthwise)
    parameter ORDER = 0,
    // element width in bits (8; wider for the scale-shift scheme's activations)
    parameter ELEM_BITS = 8,
    // line buffer memory: 0 = block RAM, 1 = distributed RAM (LUT RAM); chosen by the
    // generator's resource model (distributed_memory() in gen/src/resources/resource_model.cpp)
    parameter MEM_STYLE = 0,
    // line buffer word: 0 = whole pixels; else WORD_N channels (a multiple of SIMD and IN_N
    // dividing IFM_C, SIMD <= IFM_C, IN_N <= IFM_C); chosen by the generator's plan
    // (swg_word_elems() in gen/src/plan/plan_builder.cpp)
    parameter WORD_N = 0
)
(
    input  wire                 clk,
    input  wire                 rst,

    /*
     * Image input (NHWC, IN_N elements per beat)
     */
    input  wire [IN_N*ELEM_BITS-1:0] s_axis_tdata,
    input  wire                 s_axis_tvalid,
    output wire                 s_axis_tready,

    /*
     * Window output (SIMD elements per beat)
     */
    output wire [SIMD*ELEM_BITS-1:0] m_axis_tdata,
    output wire                 m_axis_tvalid,
    input  wire                 m_axis_tready,
    output wire                 m_axis_tlast,
    output wire                 m_axis_tuser
);

// output image size
localparam OFM_H = (IFM_H + PAD_T + PAD_B - K_H) / STRIDE_H + 1;
localparam OFM_W = (IFM_W + PAD_L + PAD_R - K_W) / STRIDE_W + 1;
// taps per output beat, channel chunks per tap, tap groups per window
localparam TPB = (SIMD > IFM_C) ? SIMD / IFM_C : 1;
localparam NCH = (SIMD < IFM_C) ? IFM_C / SIMD : 1;
localparam NGRP = (K_H * K_W) / TPB;
// input beats per pixel (IN_N divides IFM_C) or pixels per input beat (IN_N multiple of IFM_C)
localparam BPP = (IN_N < IFM_C && IN_N > 0) ? IFM_C / IN_N : 1;
localparam PPB = (IN_N > IFM_C) ? IN_N / IFM_C : 1;
// chunk words (see the header): words per pixel, input beats per word, elements per word and
// per tap of a word read, SIMD chunks per word read (the output side's select)
localparam CHUNKED = (WORD_N > 0 && WORD_N < IFM_C) ? 1 : 0;
localparam WORD_D = (WORD_N > 0) ? WORD_N : 1;  // (a divisor that is never 0)
localparam NCW = CHUNKED ? IFM_C / WORD_D : 1;
localparam BPW = CHUNKED ? WORD_D / IN_N : BPP;
localparam WORD_E = CHUNKED ? WORD_N : PPB * IFM_C;
localparam TAP_E = CHUNKED ? WORD_N : IFM_C;
localparam NSEL = (TAP_E > SIMD) ? TAP_E / SIMD : 1;
// window origins of the last output row / column, first row kept for the last output row
localparam Y0_LAST = (OFM_H - 1) * STRIDE_H - PAD_T;
localparam X0_LAST = (OFM_W - 1) * STRIDE_W - PAD_L;
localparam LO_LAST = (Y0_LAST > 0) ? Y0_LAST : 0;
// rows that must be written before the first output row of a frame
localparam NEED0 = (K_H - PAD_T < IFM_H) ? K_H - PAD_T : IFM_H;
// line buffer rows: the rows of one output row plus STRIDE_H rows being loaded plus one row of
// slack, and at least the rows of the last output row plus those of the next frame's first
localparam NROWS_A = K_H + STRIDE_H + 1;
localparam NROWS_B = IFM_H - LO_LAST + NEED0;
localparam NROWS = (NROWS_A > NROWS_B) ? NROWS_A : NROWS_B;
// line buffer words (pixel words: one word = PPB pixels, WPR words per image row, a row slot
// holding 2^CB words so that a word address is {slot, word column}; chunk words: a column of
// 2^CWB words per pixel, the address {slot, column, chunk})
localparam WPR = IFM_W / PPB;
localparam CB = (WPR > 1) ? $clog2(WPR) : 0;
localparam CWB = (NCW > 1) ? $clog2(NCW) : 0;
localparam XAB = CB + CWB;
localparam DEPTH = NROWS << XAB;
localparam TAP_W = TAP_E * ELEM_BITS;
localparam WORD_W = WORD_E * ELEM_BITS;
// advance of a tap counter pair per beat (TPB taps in (ky, kx) order)
localparam TQ = TPB / K_W;
localparam TR = TPB % K_W;
// column advances in word form (q words + r pixels, 0 <= r < PPB): window origin step
// STRIDE_W, tap column step TR (or TR - K_W when wrapping to the next row)
localparam SW_Q = STRIDE_W / PPB;
localparam SW_R = STRIDE_W % PPB;
localparam TR_Q = TR / PPB;
localparam TR_R = TR % PPB;
localparam TM_Q = (K_W - TR + PPB - 1) / PPB;
localparam TM_R = TM_Q * PPB - (K_W - TR);
// slot advance of a window start from the last output row to the next frame's first
localparam FSTEP = (IFM_H - PAD_T - Y0_LAST) % NROWS;

// widths
localparam NW = $clog2(NROWS);
localparam AW = NW + XAB;
localparam XAW = (XAB > 0) ? XAB : 1;
// distributed line buffer as one memory per row slot (open ECP5 flow; see g_mem_lut_rows)
`ifdef RTLGEN_ECP5
localparam LUT_ROW_BANKS = (XAB > 0 && NROWS > 1) ? 1 : 0;
`else
localparam LUT_ROW_BANKS = 0;
`endif
localparam RW = $clog2(IFM_H + 2 * NROWS + K_H + STRIDE_H + 1) + 1;
localparam YW = RW + 1;
localparam XW = $clog2(IFM_W + K_W + STRIDE_W + PAD_L + PAD_R + 1) + 2;
localparam XCW = (WPR > 1) ? $clog2(WPR) : 1;
localparam OW = (PPB > 1) ? $clog2(PPB) : 1;
localparam BCW = (BPW > 1) ? $clog2(BPW) : 1;
localparam CWW = (NCW > 1) ? $clog2(NCW) : 1;
localparam CHW = (NCH > 1) ? $clog2(NCH) : 1;
localparam SLW = (NSEL > 1) ? $clog2(NSEL) : 1;
localparam GW = (NGRP > 1) ? $clog2(NGRP) : 1;
localparam KXW = XW - 1;

// sized constants (truncation of the 32-bit parameter arithmetic is intended)
/* verilator lint_off WIDTH */
localparam [XCW-1:0] WPR_PEN = (WPR > 1) ? WPR - 2 : 0;  // the word before the row's last
localparam [BCW-1:0] BPW_PEN = (BPW > 1) ? BPW - 2 : 0;  // the beat before the word's last
localparam [CWW-1:0] NCW_PEN = (NCW > 1) ? NCW - 2 : 0;  // the word before the pixel's last
localparam [SLW-1:0] NSEL_PEN = (NSEL > 1) ? NSEL - 2 : 0;  // the chunk before the word's last
localparam [RW-1:0] IFM_H_R = IFM_H;
localparam [RW-1:0] NROWS_R = NROWS;
localparam [RW-1:0] NEED0_R = NEED0;
localparam [RW-1:0] RW_ONE = 1;
localparam [RW-1:0] MINUS_H_R = -IFM_H;
localparam [RW-1:0] ONE_MINUS_H_R = 1 - IFM_H;
localparam [RW-1:0] HN_R = IFM_H + NROWS;
localparam [RW-1:0] HNEED0_R = IFM_H + NEED0;
localparam [RW-1:0] IFM_H2_R = 2 * IFM_H;
localparam [NW-1:0] NROWS_N = NROWS;
localparam [NW-1:0] NROWS_LAST = NROWS - 1;
localparam [NW:0] NROWS_N1 = NROWS;
localparam [NW:0] FSTEP_N = FSTEP;
localparam [NW:0] SH_N = STRIDE_H;
localparam [NW:0] TQ_N = TQ;
localparam signed [YW-1:0] IFM_H_Y = IFM_H;
localparam signed [YW-1:0] STRIDE_H_Y = STRIDE_H;
localparam signed [YW-1:0] Y0_INIT = -PAD_T;
localparam signed [YW-1:0] Y0N_INIT = STRIDE_H - PAD_T;
localparam [RW-1:0] SH_NROWS_R = STRIDE_H + NROWS;
localparam signed [YW-1:0] MINUS_SH_Y = -STRIDE_H;
localparam [RW-1:0] HI_NEXT_INIT = ((STRIDE_H > PAD_T) ? STRIDE_H - PAD_T : 0) + NROWS;
localparam signed [YW-1:0] Y0NK_INIT = STRIDE_H - PAD_T + K_H;
localparam signed [YW-1:0] H_MINUS_SH_Y = IFM_H - STRIDE_H;
// rows the second output row of a frame needs: min(Y0NK_INIT, IFM_H) (Y0NK_INIT > 0: PAD_T < K_H)
localparam [RW-1:0] NEED_NX_INIT = (STRIDE_H - PAD_T + K_H < IFM_H) ? STRIDE_H - PAD_T + K_H : IFM_H;
localparam signed [YW-1:0] TQ_Y = TQ;
localparam signed [YW-1:0] Y0_LAST_Y = Y0_LAST;
localparam signed [XW-1:0] IFM_W_X = IFM_W;
localparam signed [XW-1:0] STRIDE_W_X = STRIDE_W;
localparam signed [XW-1:0] X0_INIT = -PAD_L;
localparam signed [XW-1:0] X0_LAST_X = X0_LAST;
localparam signed [XW-1:0] TR_X = TR;
localparam signed [XW-1:0] K_W_X = K_W;
localparam [KXW-1:0] K_W_K = K_W;
localparam [KXW-1:0] TR_K = TR;
// kx thresholds of the next tap's wrap (see g_port): K_W - 2 TR and 2 K_W - 2 TR, at least 0
localparam [KXW:0] KC_AFTER_STEP = (K_W > 2 * TR) ? K_W - 2 * TR : 0;
localparam [KXW:0] KC_AFTER_CARRY = (K_W > TR) ? 2 * (K_W - TR) : 0;
localparam [31:0] PAD_VALUE_32 = PAD_VALUE;
localparam [ELEM_BITS-1:0] PAD_BYTE = PAD_VALUE_32[ELEM_BITS-1:0];
// word-form constants: word parts modulo 2^XCW (only in-image columns, 0 .. WPR-1, are used)
localparam [OW:0] PPB_O = PPB;
localparam [OW-1:0] PPB_OW = PPB;
localparam [XCW-1:0] SW_Q_W = SW_Q;
localparam [XCW-1:0] SW_QC_W = SW_Q + 1;
localparam [OW:0] SW_R_O = SW_R;
localparam [XCW-1:0] TR_Q_W = TR_Q;
localparam [XCW-1:0] TR_QC_W = TR_Q + 1;
localparam [OW:0] TR_R_O = TR_R;
localparam [XCW-1:0] TM_Q_W = -TM_Q;
localparam [XCW-1:0] TM_QC_W = 1 - TM_Q;
localparam [OW:0] TM_R_O = TM_R;
/* verilator lint_on WIDTH */

// parameter checks
initial begin
    if (IFM_H < 1 || IFM_W < 1 || IFM_C < 1 || K_H < 1 || K_W < 1) begin
        $error("%m: IFM_H, IFM_W, IFM_C, K_H, K_W must be >= 1");
    end
    if (STRIDE_H < 1 || STRIDE_W < 1) begin
        $error("%m: STRIDE_H and STRIDE_W must be >= 1");
    end
    if (PAD_T < 0 || PAD_T >= K_H || PAD_B < 0 || PAD_B >= K_H ||
            PAD_L < 0 || PAD_L >= K_W || PAD_R < 0 || PAD_R >= K_W) begin
        $error("%m: padding must lie in 0 .. K-1");
    end
    if (IFM_H + PAD_T + PAD_B < K_H || IFM_W + PAD_L + PAD_R < K_W) begin
        $error("%m: kernel larger than the padded image");
    end
    if (IN_N < 1 || (IFM_C % IN_N != 0 && (IN_N % IFM_C != 0 || IFM_W % PPB != 0))) begin
        $error("%m: IN_N (%0d) must divide IFM_C (%0d) or be IFM_C times a divisor of IFM_W (%0d)",
               IN_N, IFM_C, IFM_W);
    end
    if (ORDER != 0 && ORDER != 1) begin
        $error("%m: ORDER must be 0 or 1");
    end
    if (WORD_N < 0 || (WORD_N > 0 && (IFM_C % WORD_D != 0 || SIMD > IFM_C || IN_N > IFM_C ||
            WORD_D % SIMD != 0 || WORD_D % IN_N != 0))) begin
        $error("%m: WORD_N (%0d) must be 0 or a divisor of IFM_C (%0d) %s (%0d, %0d)", WORD_N,
               IFM_C, "that SIMD and IN_N divide", SIMD, IN_N);
    end
    if (SIMD < 1) begin
        $error("%m: SIMD must be >= 1");
    end else if (SIMD <= IFM_C) begin
        if (IFM_C % SIMD != 0) begin
            $error("%m: SIMD (%0d) must divide IFM_C (%0d)", SIMD, IFM_C);
        end
    end else begin
        if (ORDER != 0) begin
            $error("%m: SIMD > IFM_C is only supported with ORDER 0");
        end
        if (SIMD % IFM_C != 0 || (K_H * K_W * IFM_C) % SIMD != 0) begin
            $error("%m: SIMD (%0d) must be a multiple of IFM_C dividing K_H*K_W*IFM_C", SIMD);
        end
    end
end

/*
 * Shared row bookkeeping. Row numbers are relative to the first row of the frame the
 * window side is working on; the input side may already be in the next frame. Line buffer
 * slots are numbered by the input row stream: stream row s lives in slot s mod NROWS.
 */
reg  [RW-1:0] wr_cnt_reg = {RW{1'b0}};      // rows completely written
reg  [RW-1:0] wr_cnt1_reg = RW_ONE;         // wr_cnt_reg + 1 (a copy, so no adder feeds a compare)
reg  [RW-1:0] rd_hi_reg = NROWS_R;          // first row the input side may not write yet

/*
 * The three row conditions (input may write: wr_cnt < rd_hi; window side may read: wr_cnt >=
 * need and no frame pending; the finished frame's rows are all written: wr_cnt >= IFM_H) are
 * registers, computed a cycle ahead: a compare (a carry chain) in the cycle that uses them would
 * sit in series with the row counter's adder and with the enables of every window counter.
 * The next value is compared on the registers as they are, for each way this cycle's events can
 * change them (a row completed or not; an output row or the frame ended; the frame wrapped;
 * wr_cnt1_reg stands for wr_cnt + 1), and the events select one: exact, no cycle lost.
 */
// just after reset: wr_cnt = 0 < NROWS; need = NEED0 >= 1; IFM_H >= 1
reg  wr_ok_reg = 1'b1;                      // wr_cnt < rd_hi
reg  rd_ok_reg = 1'b0;                      // !pending && wr_cnt >= need
reg  full_reg = 1'b0;                       // wr_cnt >= IFM_H
// A word's address within its row slot, {column, chunk}; a part whose count is one (CB = 0: one
// column per row, CWB = 0: one word per pixel) has no bits and its input is not used.
/* verilator lint_off WIDTH */
function [XAW-1:0] slot_word;
    input [XCW-1:0] col;
    input [CWW-1:0] chunk;
    begin
        slot_word = ((CB > 0 ? col : 1'b0) << CWB) | (CWB > 0 ? chunk : 1'b0);
    end
endfunction
/* verilator lint_on WIDTH */

/*
 * Input side: line buffer word address = {slot, word column} or {slot, column, chunk}
 */
reg  [NW-1:0]  wr_slot_reg = {NW{1'b0}};
reg  [XCW-1:0] wr_x_reg = {XCW{1'b0}};      // word column (pixel words) or pixel within the row
reg  [CWW-1:0] wr_cw_reg = {CWW{1'b0}};     // word within the pixel (chunk words)
reg  [BCW-1:0] wr_beat_reg = {BCW{1'b0}};   // beat within the word (BPW > 1)
// wr_beat_reg == BPW - 1, wr_cw_reg == NCW - 1 and wr_x_reg == WPR - 1, loaded with the
// counters: row_done is then one gate after the handshake, not three compares (it selects the
// row conditions below)
reg  wr_beat_last_reg = (BPW == 1) ? 1'b1 : 1'b0;
reg  wr_cw_last_reg = (NCW == 1) ? 1'b1 : 1'b0;
reg  wr_x_last_reg = (WPR == 1) ? 1'b1 : 1'b0;
wire [WORD_W-1:0] wr_word;
wire [AW-1:0] wr_addr;
wire [XAW-1:0] wr_col = slot_word(wr_x_reg, wr_cw_reg);  // the word within the row slot

wire wr_ok = wr_ok_reg;
wire s_fire = s_axis_tvalid && wr_ok;
wire word_wr = s_fire && wr_beat_last_reg;
wire pix_wr = word_wr && wr_cw_last_reg;
wire row_done = pix_wr && wr_x_last_reg;

assign s_axis_tready = wr_ok;

generate
    if (BPW > 1) begin : g_assemble
        // first BPW-1 beats of a word wait here, the last beat completes the word (PPB = 1).
        // Each waiting beat enters at the top and shifts the earlier ones down, so after BPW-1
        // beats the first sits lowest: no beat-indexed write, whose index product synthesised
        // to a carry chain in front of the register's write enables (ECP5 critical path).
        reg [WORD_W-IN_N*ELEM_BITS-1:0] part_reg = {(WORD_W-IN_N*ELEM_BITS){1'b0}};
        if (BPW > 2) begin : g_shift
            always @(posedge clk) begin
                if (s_fire && !wr_beat_last_reg) begin
                    part_reg <= {s_axis_tdata, part_reg[WORD_W-IN_N*ELEM_BITS-1:IN_N*ELEM_BITS]};
                end
            end
        end else begin : g_hold
            always @(posedge clk) begin
                if (s_fire && !wr_beat_last_reg) begin
                    part_reg <= s_axis_tdata;
                end
            end
        end
        assign wr_word = {s_axis_tdata, part_reg};
    end else begin : g_direct
        // one word per beat: one pixel (IN_N = IFM_C) or PPB pixels in w order
        assign wr_word = s_axis_tdata;
    end
    if (XAB > 0) begin : g_wr_addr_cols
        assign wr_addr = {wr_slot_reg, wr_col};
    end else begin : g_wr_addr_rows
        assign wr_addr = wr_slot_reg;
        wire unused_col = ^wr_col;  // one word per row: no column address
    end
endgenerate

always @(posedge clk) begin
    if (s_fire) begin
        wr_beat_reg <= wr_beat_last_reg ? {BCW{1'b0}} : wr_beat_reg + 1'b1;
        wr_beat_last_reg <= (BPW == 1) || (!wr_beat_last_reg && wr_beat_reg == BPW_PEN);
    end
    if (word_wr) begin
        wr_cw_reg <= wr_cw_last_reg ? {CWW{1'b0}} : wr_cw_reg + 1'b1;
        wr_cw_last_reg <= (NCW == 1) || (!wr_cw_last_reg && wr_cw_reg == NCW_PEN);
    end
    if (pix_wr) begin
        wr_x_reg <= wr_x_last_reg ? {XCW{1'b0}} : wr_x_reg + 1'b1;
        wr_x_last_reg <= (WPR == 1) || (!wr_x_last_reg && wr_x_reg == WPR_PEN);
    end
    if (row_done) begin
        wr_slot_reg <= (wr_slot_reg == NROWS_LAST) ? {NW{1'b0}} : wr_slot_reg + 1'b1;
    end
    if (rst) begin
        wr_beat_reg <= {BCW{1'b0}};
        wr_beat_last_reg <= (BPW == 1) ? 1'b1 : 1'b0;
        wr_cw_reg <= {CWW{1'b0}};
        wr_cw_last_reg <= (NCW == 1) ? 1'b1 : 1'b0;
        wr_x_reg <= {XCW{1'b0}};
        wr_x_last_reg <= (WPR == 1) ? 1'b1 : 1'b0;
        wr_slot_reg <= {NW{1'b0}};
    end
end

/*
 * Window side
 */
// (the window origin row itself is not kept: row_last_reg and y0n_reg say all that is needed)
reg  signed [YW-1:0] y0n_reg = Y0N_INIT;    // origin row of the next output row
reg  signed [YW-1:0] y0nk_reg = Y0NK_INIT;  // y0n_reg + K_H
reg  signed [XW-1:0] x0_reg = X0_INIT;      // window origin column
reg  [RW-1:0] need_reg = NEED0_R;           // rows that must be written for this output row
reg  [RW-1:0] need_nx_reg = NEED_NX_INIT;   // min(y0nk_reg, IFM_H): the next output row's need
reg  pending_reg = 1'b0;                    // frame finished, waiting for its last input row
reg  [CHW-1:0] ch_reg = {CHW{1'b0}};        // channel chunk
reg  [GW-1:0] grp_reg = {GW{1'b0}};         // tap group

reg  s1_valid_reg = 1'b0;
reg  s1_last_reg = 1'b0;
reg  s2_valid_reg = 1'b0;
reg  s2_last_reg = 1'b0;
reg  m_valid_reg = 1'b0;
reg  m_last_reg = 1'b0;
reg  m_user_reg = 1'b0;
reg  [SIMD*ELEM_BITS-1:0] m_data_reg = {SIMD*ELEM_BITS{1'b0}};

wire [TPB-1:0] s2_in;
wire [TPB*TAP_W-1:0] s2_word;

wire en;  // the output skid's clock enable (a register)
wire rd_ok = rd_ok_reg;
wire issue = en && rd_ok;

// End conditions of the window counters, as registers: each loads, with its counter, the
// condition for the counter's next value (the "last" flag when the counter wraps, else a compare
// of the current value with the one before the last), so no compare sits behind issue.
localparam CH_LAST_INIT = (NCH == 1) ? 1'b1 : 1'b0;
localparam GRP_LAST_INIT = (NGRP == 1) ? 1'b1 : 1'b0;
localparam COL_LAST_INIT = (X0_INIT == X0_LAST_X) ? 1'b1 : 1'b0;
localparam ROW_LAST_INIT = (Y0_INIT == Y0_LAST_Y) ? 1'b1 : 1'b0;
/* verilator lint_off WIDTH */
localparam [CHW-1:0] NCH_PEN = (NCH > 1) ? NCH - 2 : 0;
localparam [GW-1:0] NGRP_PEN = (NGRP > 1) ? NGRP - 2 : 0;
localparam signed [XW-1:0] X0_PEN_X = X0_LAST - STRIDE_W;
/* verilator lint_on WIDTH */
reg ch_last_reg = CH_LAST_INIT;
reg grp_last_reg = GRP_LAST_INIT;
reg col_last_reg = COL_LAST_INIT;
reg row_last_reg = ROW_LAST_INIT;

wire ch_last = ch_last_reg;
wire grp_last = grp_last_reg;
wire win_last = ch_last && grp_last;
wire tap_adv = (ORDER == 0) ? ch_last : 1'b1;
wire col_last = col_last_reg;
wire row_last = row_last_reg;
// The values the three flags hold in the next cycle, and their AND as a register of its own
// (the next issue ends an output row): row_end, which selects the row conditions, is then one
// gate after issue instead of three.
wire ch_step = issue && (ORDER == 0 || grp_last);
wire grp_step = issue && tap_adv;
wire col_step = issue && win_last;
wire ch_last_d = !ch_step ? ch_last : ch_last ? CH_LAST_INIT : (NCH > 1 && ch_reg == NCH_PEN);
wire grp_last_d = !grp_step ? grp_last
                            : grp_last ? GRP_LAST_INIT : (NGRP > 1 && grp_reg == NGRP_PEN);
wire col_last_d = !col_step ? col_last : col_last ? COL_LAST_INIT : (x0_reg == X0_PEN_X);
reg row_at_end_reg = CH_LAST_INIT && GRP_LAST_INIT && COL_LAST_INIT;
wire row_end = issue && row_at_end_reg;
wire frame_end = row_end && row_last;
wire wrap = (frame_end || pending_reg) && full_reg;
// the ports load their window start: next window, or the same window's next channel chunk
wire tap_wrap = issue && tap_adv && grp_last;
wire tap_step = issue && tap_adv && !grp_last;
wire win_next = issue && win_last;

// The beat's channel chunk ch_reg as the word read (rd_cw: the word within the pixel, chunk
// words) and the SIMD chunk selected from that word (sel)
wire [CWW-1:0] rd_cw;
wire [SLW-1:0] sel;
generate
    if (CHUNKED && NSEL > 1) begin : g_sel_sub
        // WORD_N/SIMD chunks per word: a word counter and a chunk counter stepping with ch_reg
        reg [CWW-1:0] cw_reg = {CWW{1'b0}};
        reg [SLW-1:0] sub_reg = {SLW{1'b0}};
        reg sub_last_reg = 1'b0;  // sub_reg == NSEL - 1
        always @(posedge clk) begin
            if (ch_step) begin
                if (ch_last || sub_last_reg) begin
                    cw_reg <= ch_last ? {CWW{1'b0}} : cw_reg + 1'b1;
                    sub_reg <= {SLW{1'b0}};
                    sub_last_reg <= 1'b0;
                end else begin
                    sub_reg <= sub_reg + 1'b1;
                    sub_last_reg <= (sub_reg == NSEL_PEN);
                end
            end
            if (rst) begin
                cw_reg <= {CWW{1'b0}};
                sub_reg <= {SLW{1'b0}};
                sub_last_reg <= 1'b0;
            end
        end
        assign rd_cw = cw_reg;
        assign sel = sub_reg;
    end else if (CHUNKED) begin : g_sel_word
        // one chunk per word (WORD_N = SIMD): the word is the chunk
        assign rd_cw = ch_reg;
        assign sel = 1'b0;
    end else begin : g_sel_pixel
        // pixel words: the chunk is selected from the pixel
        assign rd_cw = {CWW{1'b0}};
        assign sel = ch_reg;
    end
endgenerate

// next output row: first row it keeps (+ NROWS: the input side's limit then), rows it needs
// hi_next_reg = max(y0n, 0) + NROWS, kept in a register that steps with y0n_reg: for the next
// y0n = y0n + STRIDE_H it is y0n + STRIDE_H + NROWS when y0n > -STRIDE_H, else NROWS (an adder
// and a compare side by side, not in series)
reg  [RW-1:0] hi_next_reg = HI_NEXT_INIT;
wire [RW-1:0] hi_next = hi_next_reg;
wire [RW-1:0] y0n_step_hi = y0n_reg[RW-1:0] + SH_NROWS_R;  // modulo 2^RW: positive when used
wire [RW-1:0] hi_next_step = (y0n_reg > MINUS_SH_Y) ? y0n_step_hi : NROWS_R;
// need_nx_reg's next value, stepping with y0nk_reg (adder and compare side by side)
wire signed [YW-1:0] y0nk_step = y0nk_reg + STRIDE_H_Y;
wire [RW-1:0] need_nx_step = (y0nk_reg < H_MINUS_SH_Y) ? y0nk_step[RW-1:0] : IFM_H_R;
// row counter step: +1 for a completed row, -IFM_H for a wrap. The sums for every case are formed
// from the registers alone and the events choose among them, so no carry chain sits behind the
// events (LeNet small's conv1_swg on LFE5U-85F-6: rd_ok_reg through three LUTs into the adder
// was its 7.77 ns critical path). wr_cnt + 1 is wr_cnt1_reg itself.
wire [RW-1:0] wr_cnt_wrap = wr_cnt_reg + MINUS_H_R;
wire [RW-1:0] wr_cnt_row_wrap = wr_cnt1_reg + MINUS_H_R;
wire [RW-1:0] wr_cnt1_row = wr_cnt1_reg + RW_ONE;
wire [RW-1:0] wr_cnt1_row_wrap = wr_cnt1_reg + ONE_MINUS_H_R;

always @(posedge clk) begin
    // row bookkeeping
    case ({wrap, row_done})
        2'b01: begin
            wr_cnt_reg <= wr_cnt1_reg;
            wr_cnt1_reg <= wr_cnt1_row;
        end
        2'b10: begin
            wr_cnt_reg <= wr_cnt_wrap;
            wr_cnt1_reg <= wr_cnt_row_wrap;
        end
        2'b11: begin
            wr_cnt_reg <= wr_cnt_row_wrap;
            wr_cnt1_reg <= wr_cnt1_row_wrap;
        end
        default: begin
        end
    endcase

    // the conditions for the next cycle (see above); wr_cnt1_reg when a row completes now
    if (frame_end || wrap) begin
        // the input side's limit becomes IFM_H + NROWS in this cycle's row numbering
        wr_ok_reg <= row_done ? wr_cnt1_reg < HN_R : wr_cnt_reg < HN_R;
    end else if (row_end) begin
        wr_ok_reg <= row_done ? wr_cnt1_reg < hi_next : wr_cnt_reg < hi_next;
    end else begin
        wr_ok_reg <= row_done ? wr_cnt1_reg < rd_hi_reg : wr_cnt_reg < rd_hi_reg;
    end
    if (frame_end && !wrap) begin
        rd_ok_reg <= 1'b0;  // the frame is pending
    end else if (wrap) begin
        // need becomes NEED0 with rows numbered IFM_H lower
        rd_ok_reg <= row_done ? wr_cnt1_reg >= HNEED0_R : wr_cnt_reg >= HNEED0_R;
    end else if (row_end) begin
        // need becomes min(y0nk, IFM_H), held in need_nx_reg: one compare, not two and an OR
        rd_ok_reg <= row_done ? wr_cnt1_reg >= need_nx_reg : wr_cnt_reg >= need_nx_reg;
    end else begin
        // (while a frame is pending, need_reg is IFM_H + NEED0, which wr_cnt < IFM_H does not
        // reach: no pending term in series with the compare)
        rd_ok_reg <= row_done ? wr_cnt1_reg >= need_reg : wr_cnt_reg >= need_reg;
    end
    if (wrap) begin
        full_reg <= row_done ? wr_cnt1_reg >= IFM_H2_R : wr_cnt_reg >= IFM_H2_R;
    end else begin
        full_reg <= row_done ? wr_cnt1_reg >= IFM_H_R : wr_cnt_reg >= IFM_H_R;
    end

    if (frame_end) begin
        rd_hi_reg <= wrap ? NROWS_R : HN_R;
        pending_reg <= !wrap;
    end else if (row_end) begin
        rd_hi_reg <= hi_next;
    end else if (wrap) begin
        rd_hi_reg <= NROWS_R;
        pending_reg <= 1'b0;
        need_reg <= NEED0_R;  // rows renumbered IFM_H lower
    end

    // window position
    if (issue) begin
        if (ORDER == 0 || grp_last) begin
            ch_reg <= ch_last ? {CHW{1'b0}} : ch_reg + 1'b1;
            ch_last_reg <= ch_last_d;
        end
        if (tap_adv) begin
            grp_reg <= grp_last ? {GW{1'b0}} : grp_reg + 1'b1;
            grp_last_reg <= grp_last_d;
        end
        if (win_last) begin
            x0_reg <= col_last ? X0_INIT : x0_reg + STRIDE_W_X;
            col_last_reg <= col_last_d;
        end
    end
    row_at_end_reg <= ch_last_d && grp_last_d && col_last_d;
    if (row_end) begin
        row_last_reg <= row_last ? ROW_LAST_INIT : (y0n_reg == Y0_LAST_Y);
        if (row_last) begin
            y0n_reg <= Y0N_INIT;
            hi_next_reg <= HI_NEXT_INIT;
            y0nk_reg <= Y0NK_INIT;
            // the next frame's first need, in this frame's row numbering until the wrap
            need_reg <= wrap ? NEED0_R : HNEED0_R;
            need_nx_reg <= NEED_NX_INIT;
        end else begin
            y0n_reg <= y0n_reg + STRIDE_H_Y;
            hi_next_reg <= hi_next_step;
            y0nk_reg <= y0nk_step;
            need_reg <= need_nx_reg;
            need_nx_reg <= need_nx_step;
        end
    end

    // output pipeline: stage 1 = line buffer read, stage 2 = read data register, stage 3 =
    // tap / chunk select into the output register
    if (en) begin
        s1_valid_reg <= issue;
        s1_last_reg <= win_last;
        s2_valid_reg <= s1_valid_reg;
        s2_last_reg <= s1_last_reg;
        m_valid_reg <= s2_valid_reg;
        m_last_reg <= s2_last_reg;
        m_user_reg <= &s2_in;
    end

    if (rst) begin
        wr_cnt_reg <= {RW{1'b0}};
        wr_cnt1_reg <= RW_ONE;
        wr_ok_reg <= 1'b1;
        rd_ok_reg <= 1'b0;
        full_reg <= 1'b0;
        rd_hi_reg <= NROWS_R;
        pending_reg <= 1'b0;
        y0n_reg <= Y0N_INIT;
        hi_next_reg <= HI_NEXT_INIT;
        y0nk_reg <= Y0NK_INIT;
        x0_reg <= X0_INIT;
        need_reg <= NEED0_R;
        need_nx_reg <= NEED_NX_INIT;
        ch_reg <= {CHW{1'b0}};
        grp_reg <= {GW{1'b0}};
        ch_last_reg <= CH_LAST_INIT;
        grp_last_reg <= GRP_LAST_INIT;
        col_last_reg <= COL_LAST_INIT;
        row_at_end_reg <= CH_LAST_INIT && GRP_LAST_INIT && COL_LAST_INIT;
        row_last_reg <= ROW_LAST_INIT;
        s1_valid_reg <= 1'b0;
        s2_valid_reg <= 1'b0;
        m_valid_reg <= 1'b0;
    end
end

/*
 * Tap ports: one line buffer copy per tap of a beat. Each port keeps the image position of its
 * current tap (row iy, column ix, line buffer slot, word column) in registers that step with
 * the tap counters, and the position of its first tap in the current window ("head") that steps
 * with the window origin: the read address is a register, never an arithmetic result.
 */
genvar j;
generate
    for (j = 0; j < TPB; j = j + 1) begin : g_port
        /* verilator lint_off WIDTH */
        localparam [KXW-1:0] KX0 = j % K_W;
        localparam signed [YW-1:0] IY_INIT = (j / K_W) - PAD_T;
        localparam signed [XW-1:0] IX_INIT = (j % K_W) - PAD_L;
        localparam [NW-1:0] SLOT_INIT = ((j / K_W) - PAD_T + NROWS) % NROWS;
        // IX_INIT in word form (floor division by PPB of a possibly negative column)
        localparam IXP = (j % K_W) - PAD_L + PPB * (PAD_L + 1);
        localparam [XCW-1:0] IXW_INIT = IXP / PPB - (PAD_L + 1);
        localparam [OW-1:0] IXO_INIT = IXP % PPB;
        /* verilator lint_on WIDTH */

        wire [WORD_W-1:0] rd_q;  // the RAM's registered read data (see g_mem_*)
        reg [WORD_W-1:0] rd_q2 = {WORD_W{1'b0}};
        reg [OW-1:0] off_q = {OW{1'b0}};
        reg [OW-1:0] off_q2 = {OW{1'b0}};
        reg in_q = 1'b0;
        reg in_q2 = 1'b0;

        reg  [KXW-1:0] kx_reg = KX0;
        // kx_reg >= K_W - TR, loaded with kx_reg: the compare's carry chain is not in series
        // with the position adders it selects between
        localparam KX_CARRY_INIT = ((j % K_W) >= K_W - TR) ? 1'b1 : 1'b0;
        reg  kx_carry_reg = KX_CARRY_INIT;
        reg  signed [YW-1:0] iy_reg = IY_INIT;
        reg  signed [YW-1:0] iy_head_reg = IY_INIT;
        reg  signed [XW-1:0] ix_reg = IX_INIT;
        reg  signed [XW-1:0] ix_head_reg = IX_INIT;
        reg  [NW-1:0] slot_reg = SLOT_INIT;
        reg  [NW-1:0] slot_head_reg = SLOT_INIT;

        // the next tap of the beat wraps to the next kernel row (kx + TR >= K_W)
        wire kx_carry = kx_carry_reg;
        wire [KXW-1:0] kx_step = kx_carry ? kx_reg + TR_K - K_W_K : kx_reg + TR_K;
        // kx_step >= K_W - TR, from kx_reg side by side with the adder (not behind it):
        // kx + TR - K_W >= K_W - TR after a carry, kx + TR >= K_W - TR otherwise
        /* verilator lint_off UNSIGNED */  // (a threshold of 0: always true)
        wire kx_carry_step = kx_carry ? ({1'b0, kx_reg} >= KC_AFTER_CARRY)
                                      : ({1'b0, kx_reg} >= KC_AFTER_STEP);
        /* verilator lint_on UNSIGNED */

        // window start after this beat: the next window's when the window ends, else the same
        wire signed [YW-1:0] iy_head_step = row_last ? IY_INIT : iy_head_reg + STRIDE_H_Y;
        wire signed [XW-1:0] ix_head_step = col_last ? IX_INIT : ix_head_reg + STRIDE_W_X;
        wire [NW:0] slot_head_sum = {1'b0, slot_head_reg} + (row_last ? FSTEP_N : SH_N);
        wire [NW-1:0] slot_head_step = (slot_head_sum >= NROWS_N1) ?
                                       slot_head_sum[NW-1:0] - NROWS_N : slot_head_sum[NW-1:0];
        wire signed [YW-1:0] iy_start = row_end ? iy_head_step : iy_head_reg;
        wire signed [XW-1:0] ix_start = win_last ? ix_head_step : ix_head_reg;
        wire [NW-1:0] slot_start = row_end ? slot_head_step : slot_head_reg;

        // next tap of the same window
        wire [NW:0] slot_sum = {1'b0, slot_reg} + (kx_carry ? TQ_N + 1'b1 : TQ_N);
        wire [NW-1:0] slot_step = (slot_sum >= NROWS_N1) ? slot_sum[NW-1:0] - NROWS_N
                                                         : slot_sum[NW-1:0];

        always @(posedge clk) begin
            if (win_next) begin
                ix_head_reg <= ix_head_step;
            end
            if (row_end) begin
                iy_head_reg <= iy_head_step;
                slot_head_reg <= slot_head_step;
            end
            if (tap_wrap) begin
                kx_reg <= KX0;
                kx_carry_reg <= KX_CARRY_INIT;
                iy_reg <= iy_start;
                ix_reg <= ix_start;
                slot_reg <= slot_start;
            end else if (tap_step) begin
                kx_reg <= kx_step;
                kx_carry_reg <= kx_carry_step;
                iy_reg <= iy_reg + (kx_carry ? TQ_Y + 1'b1 : TQ_Y);
                ix_reg <= ix_reg + (kx_carry ? TR_X - K_W_X : TR_X);
                slot_reg <= slot_step;
            end
            if (rst) begin
                kx_reg <= KX0;
                kx_carry_reg <= KX_CARRY_INIT;
                iy_reg <= IY_INIT;
                iy_head_reg <= IY_INIT;
                ix_reg <= IX_INIT;
                ix_head_reg <= IX_INIT;
                slot_reg <= SLOT_INIT;
                slot_head_reg <= SLOT_INIT;
            end
        end

        // tap column in word form: word ixw of the row, pixel ixo of the word (PPB > 1)
        wire [XCW-1:0] ixw;
        wire [OW-1:0] ixo;
        if (PPB > 1) begin : g_ix_word
            reg [XCW-1:0] ixw_reg = IXW_INIT;
            reg [OW-1:0] ixo_reg = IXO_INIT;
            reg [XCW-1:0] ixw_head_reg = IXW_INIT;
            reg [OW-1:0] ixo_head_reg = IXO_INIT;

            wire [OW:0] ho_sum = {1'b0, ixo_head_reg} + SW_R_O;
            wire ho_carry = (ho_sum >= PPB_O);
            wire [XCW-1:0] hw_step = col_last ? IXW_INIT
                                   : ixw_head_reg + (ho_carry ? SW_QC_W : SW_Q_W);
            wire [OW-1:0] ho_step = col_last ? IXO_INIT
                                  : (ho_carry ? ho_sum[OW-1:0] - PPB_OW : ho_sum[OW-1:0]);

            wire [OW:0] o_sum = {1'b0, ixo_reg} + (kx_carry ? TM_R_O : TR_R_O);
            wire o_carry = (o_sum >= PPB_O);

            always @(posedge clk) begin
                if (win_next) begin
                    ixw_head_reg <= hw_step;
                    ixo_head_reg <= ho_step;
                end
                if (tap_wrap) begin
                    ixw_reg <= win_last ? hw_step : ixw_head_reg;
                    ixo_reg <= win_last ? ho_step : ixo_head_reg;
                end else if (tap_step) begin
                    ixw_reg <= ixw_reg + (kx_carry ? (o_carry ? TM_QC_W : TM_Q_W)
                                                   : (o_carry ? TR_QC_W : TR_Q_W));
                    ixo_reg <= o_carry ? o_sum[OW-1:0] - PPB_OW : o_sum[OW-1:0];
                end
                if (rst) begin
                    ixw_reg <= IXW_INIT;
                    ixo_reg <= IXO_INIT;
                    ixw_head_reg <= IXW_INIT;
                    ixo_head_reg <= IXO_INIT;
                end
            end

            assign ixw = ixw_reg;
            assign ixo = ixo_reg;
        end else begin : g_ix_pixel
            assign ixw = ix_reg[XCW-1:0];
            assign ixo = 1'b0;
        end

        wire in_img = (iy_reg >= 0) && (iy_reg < IFM_H_Y) && (ix_reg >= 0) && (ix_reg < IFM_W_X);
        wire [AW-1:0] rd_addr;
        wire [XAW-1:0] rd_col = slot_word(ixw, rd_cw);  // the word within the row slot
        if (XAB > 0) begin : g_rd_addr_cols
            assign rd_addr = {slot_reg, rd_col};
        end else begin : g_rd_addr_rows
            assign rd_addr = slot_reg;
            wire unused_col = ^rd_col;  // one word per row: no column address
        end

        // The line buffer copy: one write port, one read port registered at the RAM (rd_q, no
        // logic between the RAM and it), registered again (rd_q2). The two branches differ only
        // in the synthesis attributes. no_rw_check: a read never needs the word written in the
        // same cycle (rows are read only once complete and written only once free; a padding
        // tap's read data is discarded), so the synthesiser needs no collision bypass between
        // the RAM and its output register.
        if (MEM_STYLE == 1 && LUT_ROW_BANKS) begin : g_mem_lut_rows
            // Open ECP5 flow: one distributed RAM per row slot (2^CB words, a DPR16X4 or two
            // deep), the slot's read register loading zero unless the slot is the one read, and
            // rd_q the OR of those registers. One memory of all rows put a multiplexer of
            // NROWS*2^CB/16 DPR16X4 outputs between the address register and rd_q: 143 MHz for
            // LeNet's 28x28 conv1 on an LFE5U-85F-6, nearly all of it routing.
            wire [WORD_W-1:0] row_q [0:NROWS-1];
            // The write side's slot and beat-last state as they will be in the next cycle: each
            // row loads "the next word written goes to me" into a register of its own, so a
            // row's write enable is the input handshake and that register (one gate), not the
            // handshake, the beat flag and a slot compare in series. At 128-bit words a row is
            // 32 DPR16X4: the enable net of all rows fanned out to some 200 cells.
            // Both from registers only, as they will be after an accepted beat; the handshake is
            // then just the rows' clock enable (one gate after s_axis_tvalid and wr_ok_reg).
            wire [NW-1:0] wr_slot_f = !(wr_beat_last_reg && wr_cw_last_reg && wr_x_last_reg) ?
                                      wr_slot_reg :
                                      (wr_slot_reg == NROWS_LAST) ? {NW{1'b0}} : wr_slot_reg + 1'b1;
            wire wr_beat_last_f = (BPW == 1) || (!wr_beat_last_reg && wr_beat_reg == BPW_PEN);
            genvar r;
            for (r = 0; r < NROWS; r = r + 1) begin : row
                localparam [NW-1:0] SLOT = r;
                (* ram_style = "distributed" *) (* no_rw_check *)
                reg [WORD_W-1:0] mem [0:(1 << XAB)-1];
                reg [WORD_W-1:0] rd_reg = {WORD_W{1'b0}};
                // = wr_beat_last_reg && wr_slot_reg == SLOT
                reg wr_hot_reg = (r == 0 && BPW == 1) ? 1'b1 : 1'b0;
                always @(posedge clk) begin
                    if (s_fire) begin
                        wr_hot_reg <= wr_beat_last_f && wr_slot_f == SLOT;
                    end
                    if (rst) begin
                        wr_hot_reg <= (r == 0 && BPW == 1) ? 1'b1 : 1'b0;
                    end
                    if (s_fire && wr_hot_reg) begin
                        mem[wr_col] <= wr_word;
                    end
                    if (en) begin
                        rd_reg <= (slot_reg == SLOT) ? mem[rd_col] : {WORD_W{1'b0}};
                    end
                end
                assign row_q[r] = rd_reg;
            end
            reg [WORD_W-1:0] rd_or;
            integer k;
            always @* begin
                rd_or = {WORD_W{1'b0}};
                for (k = 0; k < NROWS; k = k + 1) begin
                    rd_or = rd_or | row_q[k];
                end
            end
            assign rd_q = rd_or;
            wire unused_addr = ^{rd_addr, wr_addr};  // the slot and column parts are used
        end else if (MEM_STYLE == 1) begin : g_mem_lut
            // distributed RAM (Xilinx RAM64M/RAM32M, Intel MLAB, ECP5 DPR16X4): asynchronous
            // read from the registered address, rd_q in flip-flops
            (* ram_style = "distributed" *) (* ramstyle = "MLAB" *) (* no_rw_check *)
            reg [WORD_W-1:0] mem [0:DEPTH-1];
            reg [WORD_W-1:0] rd_reg = {WORD_W{1'b0}};
            always @(posedge clk) begin
                if (word_wr) begin
                    mem[wr_addr] <= wr_word;
                end
                if (en) begin
                    rd_reg <= mem[rd_addr];
                end
            end
            assign rd_q = rd_reg;
        end else begin : g_mem_block
            (* ram_style = "block" *) (* ramstyle = "M10K" *) (* no_rw_check *)
            reg [WORD_W-1:0] mem [0:DEPTH-1];
            reg [WORD_W-1:0] rd_reg;  // no initial value: it would keep the read port out of the RAM block
            always @(posedge clk) begin
                if (word_wr) begin
                    mem[wr_addr] <= wr_word;
                end
                if (en) begin
                    rd_reg <= mem[rd_addr];
                end
            end
            assign rd_q = rd_reg;
        end

        always @(posedge clk) begin
            if (en) begin
                off_q <= ixo;
                in_q <= in_img;
                rd_q2 <= rd_q;
                off_q2 <= off_q;
                in_q2 <= in_q;
            end
        end

        assign s2_in[j] = in_q2;
        // the tap's pixel of the word read (pixel off_q2, PPB > 1), or the chunk word read
        assign s2_word[j*TAP_W +: TAP_W] = in_q2 ? rd_q2[off_q2*TAP_W +: TAP_W]
                                                 : {TAP_E{PAD_BYTE}};
    end
endgenerate

generate
    if (TPB > 1) begin : g_multi_tap
        wire unused_sel = ^sel;  // whole taps per beat: no chunk select
        always @(posedge clk) begin
            if (en) begin
                m_data_reg <= s2_word;
            end
        end
    end else begin : g_chunk
        // channel chunk of the word in stage 2 (of the pixel, or of a chunk word holding several)
        reg [SLW-1:0] s1_sel_reg = {SLW{1'b0}};
        reg [SLW-1:0] s2_sel_reg = {SLW{1'b0}};
        always @(posedge clk) begin
            if (en) begin
                s1_sel_reg <= sel;
                s2_sel_reg <= s1_sel_reg;
                m_data_reg <= s2_word[s2_sel_reg*SIMD*ELEM_BITS +: SIMD*ELEM_BITS];
            end
        end
    end
endgenerate

// the output register {tuser, tlast, tdata} behind the skid register
rtlgen_skid #(
    .WIDTH(SIMD*ELEM_BITS + 2)
) u_skid (
    .clk(clk),
    .rst(rst),
    .ce(en),
    .s_data({m_user_reg, m_last_reg, m_data_reg}),
    .s_valid(m_valid_reg),
    .m_axis_tdata({m_axis_tuser, m_axis_tlast, m_axis_tdata}),
    .m_axis_tvalid(m_axis_tvalid),
    .m_axis_tready(m_axis_tready)
);

endmodule

`resetall
