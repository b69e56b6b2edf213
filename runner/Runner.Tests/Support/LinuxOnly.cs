// The runner drives QEMU/KVM and reads sysfs: its tests only mean something on Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
