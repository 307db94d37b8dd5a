# CUDA kernels of core/ (quant/Nf4Cuda.cu, optim/AdamW8bitCuda.cu), each beside
# the ATen fallback it accelerates. They are compiled only when LibTorch was
# built with CUDA and nvcc exists; otherwise every path runs on ATen and the
# C++ wrappers report that no kernels were built. Included from the top
# CMakeLists.txt after HeadroomDependencies (it needs LibTorch's variables).
# Deliberately no ATen in the .cu files and few architectures, so nvcc stays fast.

option(HEADROOM_CUDA_KERNELS "Compile the CUDA kernels of core/ (when LibTorch has CUDA and nvcc exists)" ON)

set(HEADROOM_CUDA_KERNELS_ENABLED OFF)
if(HEADROOM_CUDA_KERNELS AND TORCH_CUDA_LIBRARIES AND C10_CUDA_LIBRARY)
    # LibTorch's CUDA config usually enabled the language already; this also
    # covers a config that did not, and a machine without nvcc (then: fallback).
    include(CheckLanguage)
    check_language(CUDA)
    if(CMAKE_CUDA_COMPILER)
        enable_language(CUDA)
        find_package(CUDAToolkit)
        if(TARGET CUDA::cudart)
            set(HEADROOM_CUDA_KERNELS_ENABLED ON)
        endif()
    endif()
endif()

if(HEADROOM_CUDA_KERNELS_ENABLED)
    # A value given on the command line (or by a preset) wins; otherwise Ampere
    # to Hopper. CUDA 13 has no sm < 75. LibTorch's config resets the normal
    # variable CMAKE_CUDA_ARCHITECTURES to OFF, so the targets get the property.
    get_property(_headroom_arch_help CACHE CMAKE_CUDA_ARCHITECTURES PROPERTY HELPSTRING)
    if(_headroom_arch_help MATCHES "specified on the command line" AND
       NOT "$CACHE{CMAKE_CUDA_ARCHITECTURES}" STREQUAL "")
        set(HEADROOM_CUDA_ARCHITECTURES "$CACHE{CMAKE_CUDA_ARCHITECTURES}")
    else()
        set(HEADROOM_CUDA_ARCHITECTURES 80 86 89 90)
    endif()
    if(HEADROOM_CCACHE AND NOT CMAKE_CUDA_COMPILER_LAUNCHER)
        set(CMAKE_CUDA_COMPILER_LAUNCHER ${CMAKE_CXX_COMPILER_LAUNCHER})
    endif()
    message(STATUS "CUDA kernels: on (nvcc ${CMAKE_CUDA_COMPILER_VERSION}, architectures ${HEADROOM_CUDA_ARCHITECTURES})")
else()
    message(STATUS "CUDA kernels: off (ATen fallbacks only)")
endif()

# headroom_cuda_kernels(<target> <folder's C++ library> SOURCES <.cu files>):
# a static library of kernels (no LibTorch, no ATen headers) linked privately
# into the folder's library, which gets HEADROOM_WITH_CUDA_KERNELS=1 for the
# wrappers that launch them. Does nothing without kernels.
function(headroom_cuda_kernels target owner)
    cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
    if(NOT HEADROOM_CUDA_KERNELS_ENABLED)
        return()
    endif()
    add_library(${target} STATIC ${ARG_SOURCES})
    target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/core)
    target_link_libraries(${target} PUBLIC CUDA::cudart)
    target_compile_options(${target} PRIVATE
        $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall,-Wextra>)
    set_target_properties(${target} PROPERTIES
        CUDA_ARCHITECTURES "${HEADROOM_CUDA_ARCHITECTURES}"
        CUDA_STANDARD 17
        CUDA_STANDARD_REQUIRED ON
        POSITION_INDEPENDENT_CODE ON)
    target_link_libraries(${owner} PRIVATE ${target} ${C10_CUDA_LIBRARY} CUDA::cudart)
    target_compile_definitions(${owner} PRIVATE HEADROOM_WITH_CUDA_KERNELS=1)
endfunction()

# headroom_cuda_executable(<target> <sources> LIBS <libraries>): an executable
# that only makes sense with the kernels (benchmarks); not defined without them.
function(headroom_cuda_executable target)
    cmake_parse_arguments(ARG "" "" "LIBS" ${ARGN})
    if(NOT HEADROOM_CUDA_KERNELS_ENABLED)
        return()
    endif()
    add_executable(${target} ${ARG_UNPARSED_ARGUMENTS})
    target_link_libraries(${target} PRIVATE ${ARG_LIBS} ${C10_CUDA_LIBRARY} CUDA::cudart headroom_warnings)
endfunction()
