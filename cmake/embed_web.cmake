# Writes OUT: a C++ source holding every file under WEB_DIR as bytes, so that
# `invoices serve` needs no files beside it. Run at build time by CMake.
file(GLOB_RECURSE files RELATIVE "${WEB_DIR}" "${WEB_DIR}/*")
list(SORT files)
set(entries "")
foreach(f IN LISTS files)
  file(READ "${WEB_DIR}/${f}" hex HEX)
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
