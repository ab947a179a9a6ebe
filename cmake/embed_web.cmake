# Writes OUT: a C++ source holding every file under WEB_DIR as bytes, so that
# `invoices serve` needs no files beside it. Run at build time by CMake.
# EXTRA: more files served beside the page, as NAME=PATH pairs separated by
# '|' (docs/openapi.yaml is served as /openapi.yaml).
file(GLOB_RECURSE files RELATIVE "${WEB_DIR}" "${WEB_DIR}/*")
list(SORT files)
set(sources "")
foreach(f IN LISTS files)
  list(APPEND sources "${f}=${WEB_DIR}/${f}")
endforeach()
if(EXTRA)
  string(REPLACE "|" ";" extra "${EXTRA}")
  list(APPEND sources ${extra})
endif()
set(entries "")
foreach(pair IN LISTS sources)
  string(FIND "${pair}" "=" eq)
  string(SUBSTRING "${pair}" 0 ${eq} f)
  math(EXPR after "${eq} + 1")
  string(SUBSTRING "${pair}" ${after} -1 path)
  file(READ "${path}" hex HEX)
  string(LENGTH "${hex}" n)
  math(EXPR size "${n} / 2")
  # Every byte as \xNN: no escape can run into the next character.
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" escaped "${hex}")
  string(APPEND entries "    {\"${f}\", std::string_view(\"${escaped}\", ${size})},\n")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from web/ by cmake/embed_web.cmake; do not edit.
#include \"invoices/gateway/static_site.h\"

namespace invoices::gateway {

std::vector<std::pair<std::string_view, std::string_view>> EmbeddedWebFiles() {
  return {
${entries}  };
}

}  // namespace invoices::gateway
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
