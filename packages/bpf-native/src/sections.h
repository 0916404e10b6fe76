// The retis/ program sections (see api.ts): custom libbpf SEC() handlers, so
// that patchCalls can splice instructions right before each program loads.
#pragma once

namespace retis_bpf {

// Registers the handlers once per process (libbpf's table is global).
// Returns 0 or -errno of the first registration that failed.
int RegisterRetisSections();

}  // namespace retis_bpf
