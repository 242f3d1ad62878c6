#!/usr/bin/env bash
# Replaces the worker's downloaded meson subprojects with wrappers of Debian's libraries
# (and, for libsrtp2, with Debian's copy of its sources).
set -euo pipefail
SUB="$1/subprojects"
rm -f "$SUB"/*.wrap

# sub NAME "meson statements"  — each gets an empty static library for link_whole.
sub() {
  mkdir -p "$SUB/$1"
  echo 'static int tongbu_empty_unused __attribute__((unused));' > "$SUB/$1/empty.c"
  printf "project('%s', 'c')\n%s\n" "$1" "$2" > "$SUB/$1/meson.build"
}
empty() { echo "$1 = static_library('$1-empty', 'empty.c')"; }
# The worker passes default_options to some subprojects; meson rejects unknown ones.
options() { shift; for o in "$@"; do echo "option('$o', type: 'string', value: '')"; done > "$SUB/$NAME/meson_options.txt"; }

sub openssl "openssl_dep = dependency('openssl')
libcrypto_dep = dependency('libcrypto')
libssl_dep = dependency('libssl')
$(empty libcrypto_lib)
$(empty libssl_lib)"

sub libuv "libuv_dep = dependency('libuv')
$(empty libuv)"
NAME=libuv options - build_tests build_benchmarks

# libsrtp2: the real sources (Debian's package uses NSS, far slower per packet; see the script).
bash "$(dirname "${BASH_SOURCE[0]}")/libsrtp-source.sh" "$SUB/libsrtp2"

sub usrsctp "usrsctp_dep = dependency('usrsctp')
$(empty usrsctp)"
NAME=usrsctp options - sctp_build_programs

sub flatbuffers "flatbuffers_dep = dependency('flatbuffers')
$(empty flatbuffers_lib)"

sub abseil-cpp "absl_container_dep = declare_dependency(dependencies: [
  dependency('absl_flat_hash_map'), dependency('absl_flat_hash_set'),
  dependency('absl_inlined_vector'), dependency('absl_btree')])
absl_strings_dep = dependency('absl_strings')
absl_types_dep = declare_dependency(dependencies: [dependency('absl_optional'), dependency('absl_variant')])
$(empty absl_container_lib)"

# Catch2 is only for mediasoup's own unit tests, which are not built here.
sub catch2 "catch2_dep = declare_dependency()
catch2_with_main_dep = declare_dependency()"
