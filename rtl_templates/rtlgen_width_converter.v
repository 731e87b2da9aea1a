/*

rtlgen: AXI-Stream element width converter

*/

// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * Converts a stream of IN_N elements per beat into OUT_N elements per beat (one divides the
 * other), element i of a beat at tdata[i*ELEM_BITS +: ELEM_BITS], order preserved.
 *
 * IN_N < OUT_N (K = OUT_N / IN_N input beats per output beat): input beats are collected and
 *   the K-th is merged straight into the output register, so the narrow input side runs at one
 *   beat per cycle. tlast on an input beat ends the output beat early: a frame whose length is
 *   not a multiple of OUT_N elements ends in a partial beat whose missing elements are zero.
 *   m_axis_tlast is the tlast of the last input beat in the output beat.
 * IN_N > OUT_N (K = IN_N / OUT_N output beats per input beat): the input beat is held and sent
 *   in K slices, the next input beat loads while the last slice leaves, so the narrow output
 *   side runs at one beat per cycle. m_axis_tlast is set on the last slice of a tlast beat.
 * IN_N == OUT_N: a one-stage register slice.
 *
 * Handshake: s_axis_tready depends combinationally on m_axis_tready (stall-able stage, as
 * allowed by docs/rtl-architecture.md); m_axis_tvalid is a register output. In the open ECP5
 * flow (RTLGEN_ECP5) the IN_N > OUT_N form runs on the registered enable of rtlgen_skid instead:
 * its held word is as wide as a whole input beat (5,120 bits for a 640-element FC input), and
 * m_axis_tready through the handshake logic to every bit's load/shift choice was the critical
 * path of a design (97.5 MHz on an LFE5U-85F-6, 4.8 ns of it that net's fan-out).
 */
module rtlgen_width_converter #
(
    // Elements per input beat (>= 1; divides OUT_N or is a multiple of it)
    parameter IN_N = 1,
    // Elements per output beat (>= 1; divides IN_N or is a multiple of it)
    parameter OUT_N = 4,
    // Bits per element (>= 1)
    parameter ELEM_BITS = 8
)
(
    input  wire                         clk,
    input  wire                         rst,

    /*
     * AXI-Stream input
     */
    input  wire [IN_N*ELEM_BITS-1:0]    s_axis_tdata,
    input  wire                         s_axis_tlast,
    input  wire                         s_axis_tvalid,
    output wire                         s_axis_tready,

    /*
     * AXI-Stream output
     */
    output wire [OUT_N*ELEM_BITS-1:0]   m_axis_tdata,
    output wire                         m_axis_tlast,
    output wire                         m_axis_tvalid,
    input  wire                         m_axis_tready
);

localparam IN_W = IN_N*ELEM_BITS;
localparam OUT_W = OUT_N*ELEM_BITS;
localparam K = IN_N > OUT_N ? IN_N / OUT_N : OUT_N / IN_N;
localparam CW = K > 1 ? $clog2(K) : 1;
localparam [31:0] K_M1 = K - 1;
localparam [CW-1:0] K_LAST = K_M1[CW-1:0];
localparam [31:0] K_M2 = K > 1 ? K - 2 : 0;
localparam [CW-1:0] K_PEN = K_M2[CW-1:0];

// bad parameters
initial begin
`ifndef SYNTHESIS
    if (IN_N < 1 || OUT_N < 1 || ELEM_BITS < 1) begin
        $error("%m: IN_N (%0d), OUT_N (%0d), ELEM_BITS (%0d) must be >= 1",
               IN_N, OUT_N, ELEM_BITS);
        $finish;
    end
    if (IN_N % OUT_N != 0 && OUT_N % IN_N != 0) begin
        $error("%m: one of IN_N (%0d) and OUT_N (%0d) must divide the other", IN_N, OUT_N);
        $finish;
    end
`endif
end

generate

if (IN_N < OUT_N) begin : upsize

    // elements collected so far: input beats 0 .. K-2 of the current output beat
    reg [(K-1)*IN_W-1:0] buf_reg;
    reg [CW-1:0] cnt_reg = {CW{1'b0}};
    reg [OUT_W-1:0] out_reg;
    reg last_reg = 1'b0;
    reg valid_reg = 1'b0;

    wire ready = !valid_reg || m_axis_tready;
    wire accept = s_axis_tvalid && ready;
    wire flush = cnt_reg == K_LAST || s_axis_tlast;

    // the output word if this beat completes it: earlier slots from buf_reg, this beat in
    // slot cnt_reg, zeros after it (early tlast)
    wire [OUT_W-1:0] word;

    genvar k;
    for (k = 0; k < K; k = k + 1) begin : slot
        localparam [31:0] K_32 = k;
        if (k < K - 1) begin : stored
            assign word[k*IN_W +: IN_W] =
                cnt_reg > K_32[CW-1:0] ? buf_reg[k*IN_W +: IN_W] :
                cnt_reg == K_32[CW-1:0] ? s_axis_tdata : {IN_W{1'b0}};

            always @(posedge clk) begin
                if (accept && !flush && cnt_reg == K_32[CW-1:0]) begin
                    buf_reg[k*IN_W +: IN_W] <= s_axis_tdata;
                end
            end
        end else begin : last_slot
            assign word[k*IN_W +: IN_W] = cnt_reg == K_LAST ? s_axis_tdata : {IN_W{1'b0}};
        end
    end

    always @(posedge clk) begin
        if (accept) begin
            if (flush) begin
                cnt_reg <= {CW{1'b0}};
                out_reg <= word;
                last_reg <= s_axis_tlast;
            end else begin
                cnt_reg <= cnt_reg + 1'b1;
            end
        end

        if (accept && flush) begin
            valid_reg <= 1'b1;
        end else if (m_axis_tready) begin
            valid_reg <= 1'b0;
        end

        if (rst) begin
            cnt_reg <= {CW{1'b0}};
            valid_reg <= 1'b0;
        end
    end

    assign s_axis_tready = ready;
    assign m_axis_tdata = out_reg;
    assign m_axis_tlast = last_reg;
    assign m_axis_tvalid = valid_reg;

end else if (IN_N > OUT_N) begin : downsize

    reg [IN_W-1:0] word_reg;
    reg last_reg = 1'b0;
    reg valid_reg = 1'b0;
    reg [CW-1:0] idx_reg = {CW{1'b0}};
    reg idx_last_reg = 1'b0;  // idx_reg == K_LAST (K >= 2 here)

    // the low slice leaves (to the consumer, or into the skid register) when ce is high
    wire ce;
    wire out_fire = valid_reg && ce;
    wire ready = !valid_reg || (ce && idx_last_reg);
    wire accept = s_axis_tvalid && ready;

    // The slice leaving is always the low one: the held word shifts down by one slice per
    // output beat. A slice multiplexer (word_reg[idx_reg*OUT_W +: OUT_W]) would put a multiply
    // by OUT_W in front of the consumer, which Yosys maps to a hard multiplier when OUT_W is not
    // a power of two (DS-CNN on ECP5: the index register through a MULT18X18D into the
    // requantizer, 15.9 ns); the shift is one 2:1 choice per bit in front of the register.
    always @(posedge clk) begin
        if (accept) begin
            word_reg <= s_axis_tdata;
            last_reg <= s_axis_tlast;
        end else if (out_fire) begin
            word_reg <= word_reg >> OUT_W;
        end

        if (accept) begin
            valid_reg <= 1'b1;
            idx_reg <= {CW{1'b0}};
            idx_last_reg <= 1'b0;
        end else if (out_fire) begin
            if (idx_last_reg) begin
                valid_reg <= 1'b0;
                idx_reg <= {CW{1'b0}};
                idx_last_reg <= 1'b0;
            end else begin
                idx_reg <= idx_reg + 1'b1;
                idx_last_reg <= idx_reg == K_PEN;
            end
        end

        if (rst) begin
            valid_reg <= 1'b0;
            idx_reg <= {CW{1'b0}};
            idx_last_reg <= 1'b0;
        end
    end

    // (outside RTLGEN_ECP5 a wire: ce = !valid_reg || m_axis_tready, the output the registers)
    rtlgen_skid #(
        .WIDTH(OUT_W + 1)
    ) u_skid (
        .clk(clk),
        .rst(rst),
        .ce(ce),
        .s_data({last_reg && idx_last_reg, word_reg[OUT_W-1:0]}),
        .s_valid(valid_reg),
        .m_axis_tdata({m_axis_tlast, m_axis_tdata}),
        .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready)
    );

    assign s_axis_tready = ready;

end else begin : same

    reg [OUT_W-1:0] data_reg;
    reg last_reg = 1'b0;
    reg valid_reg = 1'b0;

    wire ready = !valid_reg || m_axis_tready;

    always @(posedge clk) begin
        if (s_axis_tvalid && ready) begin
            data_reg <= s_axis_tdata;
            last_reg <= s_axis_tlast;
        end

        if (s_axis_tvalid && ready) begin
            valid_reg <= 1'b1;
        end else if (m_axis_tready) begin
            valid_reg <= 1'b0;
        end

        if (rst) begin
            valid_reg <= 1'b0;
        end
    end

    assign s_axis_tready = ready;
    assign m_axis_tdata = data_reg;
    assign m_axis_tlast = last_reg;
    assign m_axis_tvalid = valid_reg;

end

endgenerate

endmodule

`resetall
