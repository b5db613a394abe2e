# SPDX-License-Identifier: GPL-2.0-or-later
# libFuzzer targets for the epan-free core (tests/fuzz/fuzz_*.c), built with
#   CC=clang cmake -S . -B build-fuzz -DSMTPX_FUZZ=ON
# and run by tools/fuzz.sh. Each target compiles the core sources itself,
# with the sanitizers, instead of linking smtpx_core (built without them).
include_guard(GLOBAL)

option(SMTPX_FUZZ "Build the libFuzzer targets of the protocol core (clang only)" OFF)

if(SMTPX_FUZZ)
    if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
        message(FATAL_ERROR "SMTPX_FUZZ=ON needs clang (libFuzzer); configure a fresh "
                            "build directory with CC=clang (found ${CMAKE_C_COMPILER_ID})")
    endif()
    # the same core sources as the plugin's (paths relative to the top source directory)
    get_target_property(SMTPX_FUZZ_CORE_SOURCES smtpx_core SOURCES)
    set(SMTPX_FUZZ_FLAGS -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)
    set(SMTPX_FUZZ_TARGETS "")
    foreach(target fuzz_lines fuzz_grammar fuzz_sasl fuzz_imf fuzz_mime)
        add_executable(${target} "${CMAKE_SOURCE_DIR}/tests/fuzz/${target}.c" ${SMTPX_FUZZ_CORE_SOURCES})
        target_include_directories(${target} PRIVATE "${CMAKE_SOURCE_DIR}/plugin/core")
        # after the build type's flags, so -O1 wins over RelWithDebInfo's -O2
        target_compile_options(${target} PRIVATE ${SMTPX_FUZZ_FLAGS} -g -O1 -fno-omit-frame-pointer)
        target_link_options(${target} PRIVATE ${SMTPX_FUZZ_FLAGS})
        set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/fuzz")
        list(APPEND SMTPX_FUZZ_TARGETS ${target})
    endforeach()
    add_custom_target(fuzz DEPENDS ${SMTPX_FUZZ_TARGETS})
endif()
