// Tests that need the VM's kernel (kprobes, kretprobes, kprobe.multi,
// fentry/fexit): run them all with `test/vm/run -- test/vm/tests/run`.
// They reuse the end-to-end helpers; the root config does not match them.
const path = require('path');
const root = path.resolve(__dirname, '../../..');
const base = require(path.join(root, 'jest.config.js')).projects[0];
module.exports = {
  rootDir: root,
  transform: base.transform,
  moduleNameMapper: base.moduleNameMapper,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/vm/tests/**/*.vm.test.ts'],
  // The guest runs under emulation without KVM: everything is slow.
  testTimeout: 600_000,
};
