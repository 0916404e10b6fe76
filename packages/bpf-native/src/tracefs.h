// Tracepoint ids from tracefs, for perf-event based attachments.
#pragma once

#include <string>

namespace retis_bpf {

// Whether libbpf's own tracefs lookups can work: it only looks at
// /sys/kernel/debug/tracing (when that exists) or /sys/kernel/tracing.
bool LibbpfSeesTracefs();

// Reads events/<group>/<name>/id from a mounted tracefs (or debugfs'
// tracing directory). When none is mounted, a private tracefs is mounted on
// a temporary directory for the lookup and removed right after, leaving the
// system as it was. Returns 0 or an errno (ENOENT: no such tracepoint).
int TracepointId(const std::string& group, const std::string& name, int* id);

}  // namespace retis_bpf
