// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * rtlgen_global_pool: per-channel sums over H x W (MEAN over H, W = global_pool + requant)
 *
 * Input: the H x W x CHANNELS tensor in NHWC order, IN_N elements per beat, frames back to back.
 * Output: once per frame, the CHANNELS sums in channel order, IN_N signed lanes of ACC_BITS
 *   per beat (lane i of beat j = channel j*IN_N + i, at [i*ACC_BITS +: ACC_BITS]);
 *   m_axis_tlast on the last beat of a frame's sums.
 *
 * Structure: the CHANNELS/IN_N partial-sum words circulate in a shift register (one word per
 * input beat, no read-modify-write hazard; maps to shift-register LUTs), the final sums go to
 * an output FIFO of CHANNELS/IN_N words (block / LUT RAM), so the next frame is accepted while
 * the sums of the previous one are read out.
 *
 * Latency: the first sum of a frame leaves 2 cycles after the first beat of the frame's last
 *   pixel. Throughput: one input beat per cycle; s_axis_tready drops only if a frame's sums are
 *   complete while the previous frame's sums have not left the FIFO yet.
 */
module rtlgen_global_pool #
(
    // image height in pixels (>= 1)
    parameter H = 7,
    // image width in pixels (>= 1)
    parameter W = 7,
    // channels (multiple of IN_N)
    parameter CHANNELS = 16,
    // elements per input beat and lanes per output beat (divides CHANNELS)
    parameter IN_N = 4,
    // 1 = int8 elements, 0 = uint8 elements
    parameter IN_SIGNED = 1,
    // bits of each output sum, signed (>= 9 + clog2(H*W))
    parameter ACC_BITS = 32
)
(
    input  wire                     clk,
    input  wire                     rst,

    /*
     * Tensor input
     */
    input  wire [IN_N*8-1:0]        s_axis_tdata,
    input  wire                     s_axis_tvalid,
    output wire                     s_axis_tready,

    /*
     * Sums output
     */
    output wire [IN_N*ACC_BITS-1:0] m_axis_tdata,
    output wire                     m_axis_tvalid,
    input  wire                     m_axis_tready,
    output wire                     m_axis_tlast
);

localparam HW = H * W;
localparam CB = CHANNELS / IN_N;
localparam LW = IN_N * ACC_BITS;
localparam PXW = (HW > 1) ? $clog2(HW) : 1;
localparam CBW = (CB > 1) ? $clog2(CB) : 1;
localparam CNW = $clog2(CB + 1);

/* verilator lint_off WIDTH */
localparam [PXW-1:0] HW_PEN = (HW > 1) ? HW - 2 : 0;  // the pixel before the last
localparam [CBW-1:0] CB_LAST = CB - 1;
localparam [CNW-1:0] CB_N_M1 = CB - 1;
/* verilator lint_on WIDTH */

initial begin
    if (H < 1 || W < 1) begin
        $error("%m: H and W must be >= 1");
    end
    if (IN_N < 1 || CHANNELS % IN_N != 0) begin
        $error("%m: IN_N (%0d) must divide CHANNELS (%0d)", IN_N, CHANNELS);
    end
    if (ACC_BITS < 9 + $clog2(HW) || ACC_BITS > 64) begin
        $error("%m: ACC_BITS (%0d) must lie in %0d .. 64", ACC_BITS, 9 + $clog2(HW));
    end
end

reg  [PXW-1:0] pix_reg = {PXW{1'b0}};
reg  [CBW-1:0] cb_reg = {CBW{1'b0}};
// pix_reg == 0 and pix_reg == HW - 1, loaded with the counter: a compare of pix_reg in front of
// the sums' adders held this module at 144 MHz on an LFE5U-85F-6
reg  first_pix_reg = 1'b1;
reg  last_pix_reg = (HW == 1) ? 1'b1 : 1'b0;

// output FIFO
(* ram_style = "distributed" *) (* ramstyle = "MLAB" *)
reg  [LW-1:0] fifo_mem [0:CB-1];
reg  [CBW-1:0] wr_ptr_reg = {CBW{1'b0}};
reg  [CBW-1:0] rd_ptr_reg = {CBW{1'b0}};
reg  [CNW-1:0] count_reg = {CNW{1'b0}};
// count_reg == CB and count_reg != 0, loaded with the count (they gate the input and output
// handshakes; as compares they were the critical path, 150 MHz on an LFE5U-85F-6)
reg  full_reg = 1'b0;
reg  nonempty_reg = 1'b0;
reg  [LW-1:0] m_data_reg = {LW{1'b0}};
reg  m_valid_reg = 1'b0;
reg  m_last_reg = 1'b0;

wire first_pix = first_pix_reg;
wire last_pix = last_pix_reg;
wire fifo_full = full_reg;
wire s_ready = !(last_pix && fifo_full);
wire s_fire = s_axis_tvalid && s_ready;
wire push = s_fire && last_pix;
wire pop = (!m_valid_reg || m_axis_tready) && nonempty_reg;

wire [LW-1:0] head;
wire [LW-1:0] sum_now;

assign s_axis_tready = s_ready;

genvar i;
generate
    for (i = 0; i < IN_N; i = i + 1) begin : g_lane
        wire [7:0] x = s_axis_tdata[i*8 +: 8];
        wire [ACC_BITS-1:0] xe = {{(ACC_BITS-8){IN_SIGNED != 0 && x[7]}}, x};
        assign sum_now[i*ACC_BITS +: ACC_BITS] =
            (first_pix ? {ACC_BITS{1'b0}} : head[i*ACC_BITS +: ACC_BITS]) + xe;
    end

    if (CB > 1) begin : g_ring
        reg [CB*LW-1:0] ring_reg = {CB*LW{1'b0}};
        always @(posedge clk) begin
            if (s_fire) begin
                ring_reg <= {sum_now, ring_reg[CB*LW-1:LW]};
            end
        end
        assign head = ring_reg[LW-1:0];
    end else begin : g_single
        reg [LW-1:0] ring_reg = {LW{1'b0}};
        always @(posedge clk) begin
            if (s_fire) begin
                ring_reg <= sum_now;
            end
        end
        assign head = ring_reg;
    end
endgenerate

always @(posedge clk) begin
    if (s_fire) begin
        if (cb_reg == CB_LAST) begin
            cb_reg <= {CBW{1'b0}};
            pix_reg <= last_pix ? {PXW{1'b0}} : pix_reg + 1'b1;
            first_pix_reg <= last_pix;
            last_pix_reg <= (HW == 1) || (!last_pix && pix_reg == HW_PEN);
        end else begin
            cb_reg <= cb_reg + 1'b1;
        end
    end

    if (push) begin
        fifo_mem[wr_ptr_reg] <= sum_now;
        wr_ptr_reg <= (wr_ptr_reg == CB_LAST) ? {CBW{1'b0}} : wr_ptr_reg + 1'b1;
    end
    if (pop) begin
        m_data_reg <= fifo_mem[rd_ptr_reg];
        m_last_reg <= (rd_ptr_reg == CB_LAST);
        rd_ptr_reg <= (rd_ptr_reg == CB_LAST) ? {CBW{1'b0}} : rd_ptr_reg + 1'b1;
    end
    if (push && !pop) begin
        count_reg <= count_reg + 1'b1;
        full_reg <= count_reg == CB_N_M1;
        nonempty_reg <= 1'b1;
    end else if (pop && !push) begin
        count_reg <= count_reg - 1'b1;
        full_reg <= 1'b0;
        nonempty_reg <= count_reg != {{(CNW-1){1'b0}}, 1'b1};
    end
    if (pop) begin
        m_valid_reg <= 1'b1;
    end else if (m_axis_tready) begin
        m_valid_reg <= 1'b0;
    end

    if (rst) begin
        pix_reg <= {PXW{1'b0}};
        first_pix_reg <= 1'b1;
        last_pix_reg <= (HW == 1) ? 1'b1 : 1'b0;
        cb_reg <= {CBW{1'b0}};
        wr_ptr_reg <= {CBW{1'b0}};
        rd_ptr_reg <= {CBW{1'b0}};
        count_reg <= {CNW{1'b0}};
        full_reg <= 1'b0;
        nonempty_reg <= 1'b0;
        m_valid_reg <= 1'b0;
    end
end

assign m_axis_tdata = m_data_reg;
assign m_axis_tvalid = m_valid_reg;
assign m_axis_tlast = m_last_reg;

endmodule

`resetall
