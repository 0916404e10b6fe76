#include "tracefs.h"

#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace retis_bpf {
namespace {

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

// Tracing directories of the mounts listed in /proc/self/mountinfo.
std::vector<std::string> MountedTracingDirs() {
  std::vector<std::string> dirs;
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mountinfo, line)) {
    // "<id> <parent> <dev> <root> <mount point> <options> [optional...] - <fstype> ..."
    std::istringstream fields(line);
    std::string skip, mountPoint, field;
    fields >> skip >> skip >> skip >> skip >> mountPoint;
    while (fields >> field && field != "-") {
    }
    std::string fsType;
    fields >> fsType;
    if (fsType == "tracefs") dirs.push_back(mountPoint);
    if (fsType == "debugfs") dirs.push_back(mountPoint + "/tracing");
  }
  return dirs;
}

int ReadId(const std::string& dir, const std::string& group, const std::string& name, int* id) {
  std::ifstream file(dir + "/events/" + group + "/" + name + "/id");
  if (!file) return ENOENT;
  if (!(file >> *id)) return EINVAL;
  return 0;
}

}  // namespace

bool LibbpfSeesTracefs() {
  std::string base = Exists("/sys/kernel/debug/tracing") ? "/sys/kernel/debug/tracing" : "/sys/kernel/tracing";
  return Exists(base + "/events");
}

int TracepointId(const std::string& group, const std::string& name, int* id) {
  if (group.find('/') != std::string::npos || name.find('/') != std::string::npos || group.find("..") != std::string::npos ||
      name.find("..") != std::string::npos) {
    return EINVAL;
  }
  bool sawTracefs = false;
  for (const std::string& dir : MountedTracingDirs()) {
    if (!Exists(dir + "/events")) continue;
    sawTracefs = true;
    if (ReadId(dir, group, name, id) == 0) return 0;
  }
  if (sawTracefs) return ENOENT;

  char tmpl[] = "/tmp/retis-tracefs-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return errno;
  int err = 0;
  if (mount("nodev", tmpl, "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
    err = errno;
  } else {
    err = ReadId(tmpl, group, name, id);
    umount2(tmpl, MNT_DETACH);
  }
  rmdir(tmpl);
  return err;
}

}  // namespace retis_bpf
