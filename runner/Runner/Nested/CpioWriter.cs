using System.Globalization;
using System.Text;

namespace Runner.Nested;

/// <summary>
/// Writes the "newc" cpio archive the kernel unpacks as its initramfs: per entry a 110-byte
/// ASCII header of hex fields, the NUL-terminated name and the data, each padded to four
/// bytes, and a closing "TRAILER!!!" entry.
/// </summary>
public sealed class CpioWriter(Stream output)
{
    const string Magic = "070701";
    const int FileType = 0x8000;
    const int DirType = 0x4000;
    const int CharDeviceType = 0x2000;
    int _inode = 1;

    public void Directory(string path, int mode = 0x1ED) => Entry(path, DirType | mode, [], nlink: 2);

    public void File(string path, byte[] data, int mode = 0x1A4) => Entry(path, FileType | mode, data);

    public void CharDevice(string path, int major, int minor, int mode = 0x180) =>
        Entry(path, CharDeviceType | mode, [], rdevMajor: major, rdevMinor: minor);

    public void Finish()
    {
        Entry("TRAILER!!!", 0, [], inode: 0, nlink: 1);
        output.Flush();
    }

    void Entry(string path, int mode, byte[] data, int nlink = 1, int rdevMajor = 0, int rdevMinor = 0, int? inode = null)
    {
        var name = Encoding.UTF8.GetBytes(path.TrimStart('/') + "\0");
        var header = new StringBuilder(Magic);
        foreach (var field in new[]
        {
            inode ?? _inode++, mode, 0 /* uid */, 0 /* gid */, nlink, 0 /* mtime: reproducible images */,
            data.Length, 0, 0 /* dev major, minor */, rdevMajor, rdevMinor, name.Length, 0 /* check */,
        })
            header.Append(field.ToString("x8", CultureInfo.InvariantCulture));
        var headerBytes = Encoding.ASCII.GetBytes(header.ToString());
        output.Write(headerBytes);
        output.Write(name);
        Pad(headerBytes.Length + name.Length);
        output.Write(data);
        Pad(data.Length);
    }

    void Pad(int length)
    {
        for (int i = length; i % 4 != 0; i++)
            output.WriteByte(0);
    }
}
