# Third-party dependencies. LibTorch comes from the pinned PyPI torch wheel in
# the project's virtual environment (scripts/setup.sh); everything else from
# Debian packages.

find_package(PkgConfig REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)
find_package(Threads REQUIRED)

# Locate LibTorch through the venv's python unless Torch_DIR is given.
if(NOT Torch_DIR)
    if(NOT HEADROOM_PYTHON)
        if(DEFINED ENV{HEADROOM_VENV})
            set(HEADROOM_PYTHON "$ENV{HEADROOM_VENV}/bin/python")
        else()
            find_program(HEADROOM_PYTHON NAMES python3 python REQUIRED)
        endif()
    endif()
    execute_process(
        COMMAND "${HEADROOM_PYTHON}" -c "import torch.utils; print(torch.utils.cmake_prefix_path)"
        OUTPUT_VARIABLE HEADROOM_TORCH_PREFIX OUTPUT_STRIP_TRAILING_WHITESPACE
        RESULT_VARIABLE HEADROOM_TORCH_FOUND)
    if(NOT HEADROOM_TORCH_FOUND EQUAL 0)
        message(FATAL_ERROR "Cannot import torch with ${HEADROOM_PYTHON}; run scripts/setup.sh and pass -DHEADROOM_PYTHON=<venv>/bin/python")
    endif()
    list(APPEND CMAKE_PREFIX_PATH "${HEADROOM_TORCH_PREFIX}")
endif()
set(HEADROOM_PYTHON "${HEADROOM_PYTHON}" CACHE FILEPATH "Python of the reference environment (tests, fixtures)")

# The CUDA build of LibTorch wants the toolkit to configure; it is optional at
# run time (a machine without a GPU runs the CPU path).
if(EXISTS /usr/local/cuda/bin/nvcc AND NOT CMAKE_CUDA_COMPILER)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
    set(CUDAToolkit_ROOT /usr/local/cuda)
endif()
# Naming the target architectures skips Caffe2's GPU-detection test program,
# which cannot run on a machine without a GPU.
if(NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST})
    set(ENV{TORCH_CUDA_ARCH_LIST} "8.0;8.6;8.9;9.0")
endif()
find_package(Torch REQUIRED)
message(STATUS "LibTorch ${Torch_VERSION} from ${TORCH_INSTALL_PREFIX}")

# The wheel's libtorch exports its own statically linked copy of
# std::filesystem. Binaries list libtorch before libstdc++, so our calls
# would bind to that copy, which crashes (remove_all jumps to a null weak
# symbol). Linking libstdc++ first makes the system's definitions win.
add_library(headroom_torch INTERFACE)
target_link_options(headroom_torch INTERFACE "LINKER:--push-state,--no-as-needed" -lstdc++ "LINKER:--pop-state")
target_link_libraries(headroom_torch INTERFACE torch)

if(HEADROOM_WITH_QT)
    find_package(Qt6 6.4 REQUIRED COMPONENTS Core Widgets PrintSupport Test LinguistTools)
    find_package(QCustomPlotQt6 REQUIRED)
endif()
# The run store (core/store): the GUI's and the CLI's record of runs.
find_package(SQLite3 REQUIRED)
