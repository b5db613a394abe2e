# SPDX-License-Identifier: GPL-2.0-or-later
# Unit tests of the epan-free core, then the tshark-driven suite (pytest).
file(GLOB SMTPX_UNIT_TESTS CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/tests/unit/test_*.c")
foreach(src ${SMTPX_UNIT_TESTS})
    get_filename_component(name "${src}" NAME_WE)
    add_executable(${name} "${src}")
    target_link_libraries(${name} PRIVATE smtpx_core)
    add_test(NAME unit_${name} COMMAND ${name})
endforeach()

find_program(PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH REQUIRED)
add_test(NAME pytest
    COMMAND ${PYTHON3} -m pytest -q -ra "${CMAKE_SOURCE_DIR}/tests")
set_tests_properties(pytest PROPERTIES
    ENVIRONMENT "SMTPX_PLUGIN=$<TARGET_FILE:smtpx>"
    TIMEOUT 3000)
