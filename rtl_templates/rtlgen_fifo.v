/*

rtlgen: AXI-Stream FIFO

*/

// Language: Verilog 2005

`resetall
`timescale 1ns / 1ps
`default_nettype none

/*
 * AXI-Stream FIFO with a registered s_axis_tready (a flip-flop output, no combinational path
 * from m_axis_tready), used between layers to cut ready paths and absorb rate jitter.
 *
 * Storage: DEPTH entries of {tuser, tlast, tdata} in a simple dual-port RAM with synchronous
 * read, plus the output register: DEPTH + 1 beats in flight at most. With OUT_REG = 1 the RAM's
 * read register and the output register are two stages (DEPTH + 2 beats): the read data then
 * drives only a register with one clock enable, which a block RAM holds as its own output
 * register (Xilinx DOB_REG, ECP5 DP16KD REGMODE OUTREG), so the block's slow clock-to-out
 * (5.8 ns for an ECP5 DP16KD at speed 6) stays out of the consumer's logic.
 * Throughput: one beat per cycle in and out simultaneously.
 * Latency: 2 + OUT_REG cycles from s_axis handshake to m_axis_tvalid.
 */
module rtlgen_fifo #
(
    // Width of tdata in bits (>= 1)
    parameter WIDTH = 8,
    // RAM entries (>= 2; any value, powers of two are cheapest); capacity is DEPTH + 1 beats
    parameter DEPTH = 16,
    // Carry tlast (1) or drive m_axis_tlast = 0 and ignore s_axis_tlast (0)
    parameter LAST_ENABLE = 1,
    // Width of tuser in bits (0 = no tuser: the 1-bit ports are ignored / driven 0)
    parameter USER_WIDTH = 0,
    // Output register behind the RAM's read register (1: for block-RAM depths) or not (0)
    parameter OUT_REG = 0
)
(
    input  wire                                      clk,
    input  wire                                      rst,

    /*
     * AXI-Stream input
     */
    input  wire [WIDTH-1:0]                          s_axis_tdata,
    input  wire                                      s_axis_tvalid,
    output wire                                      s_axis_tready,
    // ignored when LAST_ENABLE = 0 or USER_WIDTH = 0 respectively
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire                                      s_axis_tlast,
    input  wire [(USER_WIDTH > 0 ? USER_WIDTH : 1)-1:0] s_axis_tuser,
    /* verilator lint_on UNUSEDSIGNAL */

    /*
     * AXI-Stream output
     */
    output wire [WIDTH-1:0]                          m_axis_tdata,
    output wire                                      m_axis_tvalid,
    input  wire                                      m_axis_tready,
    output wire                                      m_axis_tlast,
    output wire [(USER_WIDTH > 0 ? USER_WIDTH : 1)-1:0] m_axis_tuser
);

localparam AW = DEPTH > 1 ? $clog2(DEPTH) : 1;
localparam LW = LAST_ENABLE != 0 ? 1 : 0;
localparam UW = USER_WIDTH > 0 ? USER_WIDTH : 0;
// stored word: {tuser, tlast, tdata}
localparam DW = WIDTH + LW + UW;

// bad parameters
initial begin
`ifndef SYNTHESIS
    if (WIDTH < 1) begin
        $error("%m: WIDTH (%0d) must be >= 1", WIDTH);
        $finish;
    end
    if (DEPTH < 2) begin
        $error("%m: DEPTH (%0d) must be >= 2", DEPTH);
        $finish;
    end
    if (USER_WIDTH < 0) begin
        $error("%m: USER_WIDTH (%0d) must be >= 0", USER_WIDTH);
        $finish;
    end
    if (OUT_REG != 0 && OUT_REG != 1) begin
        $error("%m: OUT_REG (%0d) must be 0 or 1", OUT_REG);
        $finish;
    end
`endif
end

// no_rw_check: a word is never read in the cycle it is written (a read needs count > 0, so the
// read pointer is on a written word; the write pointer meets it only when full, where writes
// stop). Without it Yosys emulates a same-address collision with a multiplexer between the
// block RAM's output and the register behind it, which then cannot become the block's output
// register (ECP5: the DP16KD's 5.8 ns clock-to-out stays in the path).
(* no_rw_check *)
reg [DW-1:0] mem [0:DEPTH-1];

// Pointers wrap at DEPTH (any depth: skip-path FIFOs are sized exactly by the generator).
reg [AW-1:0] wr_ptr_reg = {AW{1'b0}};
reg [AW-1:0] rd_ptr_reg = {AW{1'b0}};
reg [AW:0] count_reg = {AW+1{1'b0}};  // RAM entries in use, 0 .. DEPTH
reg s_ready_reg = 1'b0;

reg [DW-1:0] out_reg;
reg m_valid_reg = 1'b0;
wire rd_en;  // a RAM word read (see g_out_*)

wire [DW-1:0] in_word;

generate
    if (UW > 0 && LW > 0) begin : word_ul
        assign in_word = {s_axis_tuser, s_axis_tlast, s_axis_tdata};
    end else if (UW > 0) begin : word_u
        assign in_word = {s_axis_tuser, s_axis_tdata};
    end else if (LW > 0) begin : word_l
        assign in_word = {s_axis_tlast, s_axis_tdata};
    end else begin : word_d
        assign in_word = s_axis_tdata;
    end
endgenerate

// (truncation to the pointer / counter widths is exact: DEPTH <= 2^AW)
/* verilator lint_off WIDTH */
localparam [AW-1:0] PTR_LAST = DEPTH - 1;
localparam [AW:0] COUNT_FULL = DEPTH;
/* verilator lint_on WIDTH */

wire empty = count_reg == {AW+1{1'b0}};
wire wr_en = s_axis_tvalid && s_ready_reg;

wire [AW-1:0] wr_ptr_next = !wr_en ? wr_ptr_reg :
                            wr_ptr_reg == PTR_LAST ? {AW{1'b0}} : wr_ptr_reg + 1'b1;
wire [AW-1:0] rd_ptr_next = !rd_en ? rd_ptr_reg :
                            rd_ptr_reg == PTR_LAST ? {AW{1'b0}} : rd_ptr_reg + 1'b1;
wire [AW:0] count_next = count_reg + {{AW{1'b0}}, wr_en} - {{AW{1'b0}}, rd_en};
wire full_next = count_next == COUNT_FULL;

always @(posedge clk) begin
    wr_ptr_reg <= wr_ptr_next;
    rd_ptr_reg <= rd_ptr_next;
    count_reg <= count_next;
    s_ready_reg <= !full_next;

    if (rst) begin
        wr_ptr_reg <= {AW{1'b0}};
        rd_ptr_reg <= {AW{1'b0}};
        count_reg <= {AW+1{1'b0}};
        s_ready_reg <= 1'b0;
    end
end

always @(posedge clk) begin
    if (wr_en) begin
        mem[wr_ptr_reg] <= in_word;
    end
end

generate
    if (OUT_REG != 0) begin : g_out_two
        // read register (in the RAM) -> output register; a word moves on when the stage after
        // it is free or empties in this cycle
        reg [DW-1:0] rd_q;  // no initial value: it would keep the read port out of the RAM block
        reg rd_valid_reg = 1'b0;
        wire out_free = !m_valid_reg || m_axis_tready;
        assign rd_en = !empty && (!rd_valid_reg || out_free);
        always @(posedge clk) begin
            if (rd_en) begin
                rd_q <= mem[rd_ptr_reg];
            end
            if (out_free) begin
                out_reg <= rd_q;
            end
            if (rd_en) begin
                rd_valid_reg <= 1'b1;
            end else if (out_free) begin
                rd_valid_reg <= 1'b0;
            end
            if (out_free) begin
                m_valid_reg <= rd_valid_reg;
            end
            if (rst) begin
                rd_valid_reg <= 1'b0;
                m_valid_reg <= 1'b0;
            end
        end
    end else begin : g_out_one
        // the RAM's read register is the output register
        assign rd_en = !empty && (!m_valid_reg || m_axis_tready);
        always @(posedge clk) begin
            if (rd_en) begin
                out_reg <= mem[rd_ptr_reg];
            end
            if (rd_en) begin
                m_valid_reg <= 1'b1;
            end else if (m_axis_tready) begin
                m_valid_reg <= 1'b0;
            end
            if (rst) begin
                m_valid_reg <= 1'b0;
            end
        end
    end
endgenerate

assign s_axis_tready = s_ready_reg;
assign m_axis_tvalid = m_valid_reg;
assign m_axis_tdata = out_reg[WIDTH-1:0];

generate
    if (LW > 0) begin : out_last
        assign m_axis_tlast = out_reg[WIDTH];
    end else begin : no_last
        assign m_axis_tlast = 1'b0;
    end
    if (UW > 0) begin : out_user
        assign m_axis_tuser = out_reg[WIDTH+LW +: UW];
    end else begin : no_user
        assign m_axis_tuser = 1'b0;
    end
endgenerate

endmodule

`resetall
