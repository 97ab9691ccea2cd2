# Writes app/build_info.hpp at every build (not only at configure time), so that `bulwark
# version` names the commit that was built. configure_file leaves the file alone when nothing
# changed, so nothing is recompiled then.
#   cmake -DSRC=build_info.hpp.in -DDST=.../app/build_info.hpp -DPROJECT_VERSION=x.y.z
#         -DREPO=<source root> -P build_info.cmake
execute_process(COMMAND git rev-parse --short HEAD WORKING_DIRECTORY ${REPO}
                OUTPUT_VARIABLE BULWARK_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT BULWARK_GIT_COMMIT)
  set(BULWARK_GIT_COMMIT "unknown")
endif()
configure_file(${SRC} ${DST} @ONLY)
