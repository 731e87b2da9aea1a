// Shared Catch2 main for the per-configuration Verilator tests (compiled once).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
