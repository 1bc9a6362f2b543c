//! The catalogue `oslo-rootwrap lint` decides filters against: commands
//! that, run as root with the right arguments, execute other programs,
//! write or hand over arbitrary files, mount, or load kernel modules, with
//! those arguments and a sentence saying how root is reached.
//!
//! Shapes are the arguments after the command name. Placeholders stand for
//! what the caller supplies; the witness search ([`super::witness`]) fills
//! them with concrete strings (and, for regex positions, with strings the
//! pattern itself produces):
//!
//! | placeholder | meaning | first candidate |
//! |---|---|---|
//! | `{prog}` | a program the caller wrote | `/tmp/x/payload` |
//! | `{file}` | a file the caller wrote (data, image, archive, config) | `/tmp/x/payload` |
//! | `{dir}` | a directory the caller owns | `/tmp/x` |
//! | `{target}` | a root file to overwrite | `/etc/passwd` |
//! | `{device}` | a disk | `/dev/sda` |
//! | `{owner}` | the caller as a new owner | `1000` |
//! | `{mode}` | a mode that opens a file up | `666` |
//! | `{script}` | a shell command line that runs the caller's command | `id` |
//! | `{any}` | anything (the command does not care) | `x` |
//!
//! `/tmp/x` stands for any directory the caller owns. A `{target}` may
//! also be a path under it when the command follows a symlink there
//! ([`Entry::follows_links`]): a link the caller puts in its own directory
//! sends the write to any file.
//!
//! Entries whose [`Grant`] is not a way to root by itself (reading any
//! file, destroying disks, signalling processes) are reported at `info`.

/// What a command run as root with a shape's arguments gives the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// Runs a program of the caller's as root.
    Exec,
    /// Writes data of the caller's into any file or device.
    Write,
    /// Hands ownership or permissions of any file to the caller.
    Own,
    /// Mounts something of the caller's over the system.
    Mount,
    /// Loads a kernel module of the caller's.
    Module,
    /// Reads any file: secrets, not root by itself.
    Read,
    /// Destroys any file, filesystem or disk: not root by itself.
    Destroy,
    /// Signals any process: not root by itself.
    Signal,
}

impl Grant {
    /// Whether this is root (severity `root`) rather than `info`.
    pub fn is_root(self) -> bool {
        matches!(
            self,
            Grant::Exec | Grant::Write | Grant::Own | Grant::Mount | Grant::Module
        )
    }
}

/// One dangerous argument vector.
#[derive(Debug)]
pub struct Shape {
    /// The arguments after the command name, placeholders in braces.
    pub args: &'static [&'static str],
    /// How running it as root gives root (or what it gives).
    pub how: &'static str,
}

/// One command (or family of commands).
#[derive(Debug)]
pub struct Entry {
    /// Executable basenames. `name*` matches any name starting with
    /// `name`; a plain name also matches itself with a version suffix
    /// (`python3.11`, `perl5.36`).
    pub names: &'static [&'static str],
    /// What it gives.
    pub grant: Grant,
    /// Whether a `{target}` may be a symlink the caller planted (the
    /// command writes through it).
    pub follows_links: bool,
    /// Dangerous argument vectors, most reliable first.
    pub shapes: &'static [Shape],
}

const fn shape(args: &'static [&'static str], how: &'static str) -> Shape {
    Shape { args, how }
}

const SHELL_HOW: &str = "a shell run as root runs the caller's commands";
const INTERP_HOW: &str = "an interpreter run as root runs a program of the caller's";
const WRAP_HOW: &str = "runs any program as root";
const PAGER_HOW: &str = "its shell escape (`!sh`, `:!sh`) runs a shell as root";
const READ_HOW: &str =
    "reads any file as root (/etc/shadow, private keys): secrets, not root by itself";
const DESTROY_HOW: &str =
    "destroys any filesystem, disk or file as root: data loss, not root by itself";

/// The catalogue.
pub static CATALOGUE: &[Entry] = &[
    // ---------------------------------------------------------------- exec
    Entry {
        names: &[
            "sh", "bash", "dash", "ash", "zsh", "ksh", "ksh93", "mksh", "pdksh", "csh", "tcsh",
            "fish", "rbash",
        ],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[
            shape(&["-c", "{script}"], SHELL_HOW),
            shape(&["{prog}"], SHELL_HOW),
            shape(
                &[],
                "a shell run as root reads the caller's commands from its input",
            ),
        ],
    },
    Entry {
        names: &["busybox"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[
            shape(&["sh", "-c", "{script}"], SHELL_HOW),
            shape(&["sh"], SHELL_HOW),
        ],
    },
    Entry {
        names: &["python", "pypy", "pypy3"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[
            shape(&["{prog}"], INTERP_HOW),
            shape(&["-c", "import os; os.system('id')"], INTERP_HOW),
            shape(
                &[],
                "an interpreter run as root reads the caller's program from its input",
            ),
        ],
    },
    Entry {
        names: &[
            "perl", "ruby", "node", "nodejs", "php", "lua", "luajit", "tclsh", "wish", "expect",
        ],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[
            shape(&["{prog}"], INTERP_HOW),
            shape(&["-e", "system('id')"], INTERP_HOW),
            shape(
                &[],
                "an interpreter run as root reads the caller's program from its input",
            ),
        ],
    },
    Entry {
        names: &["awk", "gawk", "mawk", "nawk"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[
            shape(
                &["BEGIN{system(\"id\")}"],
                "awk's system() runs any command as root",
            ),
            shape(&["-f", "{prog}"], INTERP_HOW),
        ],
    },
    Entry {
        names: &[
            "env",
            "nice",
            "nohup",
            "setsid",
            "ionice",
            "unshare",
            "systemd-run",
            "sudo",
            "doas",
            "strace",
            "ltrace",
            "xargs",
            "time",
            "catchsegv",
            "valgrind",
            "pkexec",
        ],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[shape(&["{prog}"], WRAP_HOW)],
    },
    Entry {
        names: &["timeout"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[shape(&["1000", "{prog}"], WRAP_HOW)],
    },
    Entry {
        names: &["stdbuf"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[shape(&["-o0", "{prog}"], WRAP_HOW)],
    },
    Entry {
        names: &["taskset"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[shape(&["1", "{prog}"], WRAP_HOW)],
    },
    Entry {
        names: &["chrt"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[shape(&["-o", "0", "{prog}"], WRAP_HOW)],
    },
    Entry {
        names: &["flock"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[shape(&["/tmp/x/lock", "{prog}"], WRAP_HOW)],
    },
    Entry {
        names: &["chroot"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[shape(&["/", "{prog}"], WRAP_HOW)],
    },
    Entry {
        names: &["nsenter"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[shape(
            &["-t", "1", "-m", "-u", "-i", "-n", "-p", "{prog}"],
            "runs any program as root in init's namespaces",
        )],
    },
    Entry {
        names: &["cgexec"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[shape(&["-g", "cpu:/", "{prog}"], WRAP_HOW)],
    },
    Entry {
        names: &["su", "runuser"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[
            shape(
                &["-c", "{script}"],
                "runs the caller's command line as root",
            ),
            shape(&[], "starts a root shell"),
        ],
    },
    Entry {
        names: &["capsh"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[shape(&["--", "-c", "{script}"], SHELL_HOW)],
    },
    Entry {
        names: &["gdb"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[shape(
            &["-nx", "-batch", "-ex", "shell id"],
            "gdb's `shell` command runs any command as root",
        )],
    },
    Entry {
        names: &["tcpclient"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[shape(
            &["127.0.0.1", "22", "{prog}"],
            "tcpclient runs the program it is given as root once connected (to any local service)",
        )],
    },
    Entry {
        names: &["ssh"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[shape(
            &["-o", "ProxyCommand={prog}", "x"],
            "ssh runs the ProxyCommand it is given as root",
        )],
    },
    Entry {
        names: &["ip"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[
            shape(
                &["netns", "exec", "x", "{prog}"],
                "`ip netns exec` runs any program as root (after `ip netns add x`)",
            ),
            shape(
                &["-batch", "{file}"],
                "`ip -batch FILE` runs FILE's commands unchecked, such as `netns exec x PROG` (after `ip netns add x`): any program as root",
            ),
            shape(
                &["-b", "{file}"],
                "`ip -b FILE` runs FILE's commands unchecked, such as `netns exec x PROG` (after `ip netns add x`): any program as root",
            ),
            shape(
                &["vrf", "exec", "default", "{prog}"],
                "`ip vrf exec` runs any program as root",
            ),
        ],
    },
    Entry {
        names: &["find"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[
            shape(
                &["/etc/hostname", "-exec", "{prog}", ";"],
                "find -exec runs any program as root",
            ),
            shape(
                &["/etc/hostname", "-execdir", "{prog}", ";"],
                "find -execdir runs any program as root",
            ),
            shape(
                &["/etc/hostname", "-ok", "{prog}", ";"],
                "find -ok runs any program as root",
            ),
        ],
    },
    Entry {
        names: &["tar"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[
            shape(
                &[
                    "-cf",
                    "/dev/null",
                    "/etc/hostname",
                    "--checkpoint=1",
                    "--checkpoint-action=exec={prog}",
                ],
                "tar's --checkpoint-action=exec runs any program as root",
            ),
            shape(
                &["-xf", "{file}", "-C", "/"],
                "tar extracts the caller's archive over / as root, owners and setuid bits included",
            ),
            shape(
                &["-I", "{prog}", "-cf", "/dev/null", "/etc/hostname"],
                "tar -I runs the given compression program as root",
            ),
            shape(
                &["--to-command={prog}", "-xf", "{file}"],
                "tar --to-command runs any program as root",
            ),
        ],
    },
    Entry {
        names: &["rsync"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[
            shape(
                &["-e", "{prog}", "x:y", "/tmp/x/"],
                "rsync -e runs the given remote shell program as root",
            ),
            shape(
                &["{file}", "/etc/passwd"],
                "rsync copies a file of the caller's over any file as root",
            ),
        ],
    },
    Entry {
        names: &["sed"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[
            shape(
                &["-n", "1e{prog}", "/etc/hostname"],
                "GNU sed's `e` command runs any program as root",
            ),
            shape(
                &["-i", "s/^root:[^:]*:/root::/", "/etc/passwd"],
                "sed -i edits any file as root (root's password removed)",
            ),
        ],
    },
    Entry {
        names: &[
            "vi", "vim", "view", "nvim", "ex", "ed", "emacs", "nano", "less", "more", "man",
            "pager",
        ],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[shape(&["/etc/hostname"], PAGER_HOW)],
    },
    Entry {
        names: &["dpkg"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[shape(
            &["-i", "{file}"],
            "dpkg installs the caller's package: its maintainer scripts run as root",
        )],
    },
    Entry {
        names: &["rpm"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[shape(
            &["-i", "{file}"],
            "rpm installs the caller's package: its scriptlets run as root",
        )],
    },
    Entry {
        names: &["apt", "apt-get", "yum", "dnf", "zypper"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[shape(
            &["install", "{file}"],
            "installs the caller's package: its scripts run as root",
        )],
    },
    Entry {
        names: &["pip", "pip3"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[shape(
            &["install", "{file}"],
            "pip installs the caller's package: its build code runs as root",
        )],
    },
    Entry {
        names: &["crontab"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[shape(
            &["-u", "root", "{file}"],
            "installs the caller's file as root's crontab",
        )],
    },
    Entry {
        names: &["sysctl"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[
            shape(
                &["-w", "kernel.core_pattern=|{prog}"],
                "kernel.core_pattern=|PROG makes the kernel run PROG as root at the next crash",
            ),
            shape(
                &["kernel.core_pattern=|{prog}"],
                "kernel.core_pattern=|PROG makes the kernel run PROG as root at the next crash",
            ),
            shape(
                &["-p", "{file}"],
                "sysctl -p applies the caller's settings, such as kernel.core_pattern=|PROG: PROG runs as root at the next crash",
            ),
        ],
    },
    Entry {
        names: &["mkfs"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[shape(
            &["-t", "x/payload", "/dev/null"],
            "mkfs runs `mkfs.TYPE` relative to the caller's working directory: `-t x/payload` runs ./mkfs.x/payload as root",
        )],
    },
    Entry {
        names: &["haproxy"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[shape(
            &["-f", "{file}"],
            "haproxy runs a configuration of the caller's: its `lua-load` code (os.execute) runs as root at start-up",
        )],
    },
    Entry {
        names: &["dnsmasq"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[
            shape(
                &["--conf-file={file}"],
                "dnsmasq runs the `dhcp-script` a configuration of the caller's names (with `user=root` and `leasefile-ro`: as root, at start-up)",
            ),
            shape(
                &["-C", "{file}"],
                "dnsmasq runs the `dhcp-script` a configuration of the caller's names (with `user=root` and `leasefile-ro`: as root, at start-up)",
            ),
        ],
    },
    Entry {
        names: &["keepalived"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[shape(
            &["-f", "{file}"],
            "keepalived runs the check and notify scripts of a configuration of the caller's as root",
        )],
    },
    Entry {
        names: &["tcpdump"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[shape(
            &[
                "-i",
                "lo",
                "-w",
                "/dev/null",
                "-W",
                "1",
                "-G",
                "1",
                "-z",
                "{prog}",
            ],
            "tcpdump -z runs the given program as root after each capture file",
        )],
    },
    Entry {
        names: &["docker", "podman"],
        grant: Grant::Exec,
        follows_links: false,
        shapes: &[shape(
            &["run", "-v", "/:/host", "busybox", "chroot", "/host", "sh"],
            "runs a container with the host's / mounted: a root shell on the host",
        )],
    },
    // --------------------------------------------------------------- write
    Entry {
        names: &["cp"],
        grant: Grant::Write,
        follows_links: true,
        shapes: &[
            shape(
                &["{file}", "{target}"],
                "cp copies a file of the caller's over any file as root",
            ),
            shape(
                &["-a", "{file}", "{target}"],
                "cp copies a file of the caller's over any file as root",
            ),
            shape(
                &["-f", "{file}", "{target}"],
                "cp copies a file of the caller's over any file as root",
            ),
            shape(
                &["-p", "{file}", "{target}"],
                "cp copies a file of the caller's over any file as root",
            ),
            shape(
                &["-r", "{file}", "{target}"],
                "cp copies a file of the caller's over any file as root",
            ),
        ],
    },
    Entry {
        names: &["mv"],
        grant: Grant::Write,
        follows_links: false,
        shapes: &[
            shape(
                &["{file}", "{target}"],
                "mv puts a file of the caller's in place of any file as root",
            ),
            shape(
                &["-f", "{file}", "{target}"],
                "mv puts a file of the caller's in place of any file as root",
            ),
        ],
    },
    Entry {
        names: &["install"],
        grant: Grant::Write,
        follows_links: false,
        shapes: &[
            shape(
                &["-m", "4755", "{file}", "/tmp/x/suid"],
                "install makes a root-owned setuid copy of a program of the caller's",
            ),
            shape(
                &["{file}", "{target}"],
                "install puts a file of the caller's in place of any file as root",
            ),
        ],
    },
    Entry {
        names: &["ln"],
        grant: Grant::Write,
        follows_links: false,
        shapes: &[
            shape(
                &["-sf", "{file}", "/etc/ld.so.preload"],
                "ln makes /etc/ld.so.preload a link to the caller's file: every program, setuid ones included, loads the library it names",
            ),
            shape(
                &["-s", "{file}", "/etc/ld.so.preload"],
                "ln makes /etc/ld.so.preload a link to the caller's file: every program, setuid ones included, loads the library it names",
            ),
        ],
    },
    Entry {
        names: &["dd"],
        grant: Grant::Write,
        follows_links: true,
        shapes: &[
            shape(
                &["if={file}", "of={target}"],
                "dd writes data of the caller's over any file or disk as root",
            ),
            shape(
                &["of={target}"],
                "dd writes its input (the caller's) over any file or disk as root",
            ),
        ],
    },
    Entry {
        names: &["tee"],
        grant: Grant::Write,
        follows_links: true,
        shapes: &[
            shape(
                &["{target}"],
                "tee writes its input (the caller's) over any file as root",
            ),
            shape(
                &["-a", "{target}"],
                "tee appends its input (the caller's) to any file as root",
            ),
        ],
    },
    Entry {
        names: &["qemu-img"],
        grant: Grant::Write,
        follows_links: true,
        shapes: &[
            shape(
                &["convert", "{file}", "{target}"],
                "qemu-img convert copies a caller image's bytes over any file or disk as root",
            ),
            shape(
                &["convert", "-O", "raw", "{file}", "{target}"],
                "qemu-img convert copies a caller image's bytes over any file or disk as root",
            ),
            shape(
                &["convert", "-f", "raw", "-O", "raw", "{file}", "{target}"],
                "qemu-img convert copies a caller image's bytes over any file or disk as root",
            ),
            shape(
                &["convert", "-n", "-O", "raw", "{file}", "{target}"],
                "qemu-img convert copies a caller image's bytes over any file or disk as root",
            ),
            shape(
                &["dd", "if={file}", "of={target}"],
                "qemu-img dd copies a caller image's bytes over any file or disk as root",
            ),
        ],
    },
    Entry {
        names: &["qemu-nbd"],
        grant: Grant::Write,
        follows_links: false,
        shapes: &[shape(
            &["-t", "-p", "10809", "{device}"],
            "qemu-nbd serves any disk over TCP without authentication: the caller reads and writes the host's disk",
        )],
    },
    Entry {
        names: &["rbd"],
        grant: Grant::Write,
        follows_links: false,
        shapes: &[shape(
            &["export", "{any}", "/etc/cron.d/payload"],
            "rbd export writes a Ceph image (which the caller fills with its own Ceph credentials) to any new file as root, such as a cron job",
        )],
    },
    // ----------------------------------------------------------------- own
    Entry {
        names: &["chown"],
        grant: Grant::Own,
        follows_links: true,
        shapes: &[
            shape(
                &["{owner}", "{target}"],
                "chown gives the caller any file (/etc/passwd) or disk to edit",
            ),
            shape(
                &["-R", "{owner}", "{target}"],
                "chown gives the caller any file (/etc/passwd) or disk to edit",
            ),
        ],
    },
    Entry {
        names: &["chgrp"],
        grant: Grant::Own,
        follows_links: true,
        shapes: &[shape(
            &["{owner}", "{device}"],
            "chgrp gives the caller's group read and write access to a disk (mode 0660)",
        )],
    },
    Entry {
        names: &["chmod"],
        grant: Grant::Own,
        follows_links: true,
        shapes: &[
            shape(
                &["{mode}", "{target}"],
                "chmod opens any file (/etc/passwd) to the caller's writes",
            ),
            shape(
                &["-R", "{mode}", "{target}"],
                "chmod opens any file (/etc/passwd) to the caller's writes",
            ),
        ],
    },
    Entry {
        names: &["setfacl"],
        grant: Grant::Own,
        follows_links: true,
        shapes: &[shape(
            &["-m", "u:1000:rw", "{target}"],
            "setfacl gives the caller write access to any file",
        )],
    },
    // --------------------------------------------------------------- mount
    Entry {
        names: &["mount"],
        grant: Grant::Mount,
        follows_links: false,
        shapes: &[
            shape(
                &["--bind", "{dir}", "/usr/sbin"],
                "mount puts the caller's directory over /usr/sbin: the next root command from there is the caller's",
            ),
            shape(
                &["-o", "bind", "{dir}", "/usr/sbin"],
                "mount puts the caller's directory over /usr/sbin: the next root command from there is the caller's",
            ),
            shape(
                &["{file}", "/mnt"],
                "mount attaches the caller's image as root, setuid-root programs in it included",
            ),
            shape(
                &["-o", "loop", "{file}", "/mnt"],
                "mount attaches the caller's image as root, setuid-root programs in it included",
            ),
        ],
    },
    // -------------------------------------------------------------- module
    Entry {
        names: &["modprobe"],
        grant: Grant::Module,
        follows_links: false,
        shapes: &[shape(
            &["-d", "{dir}", "payload"],
            "modprobe -d loads a kernel module from the caller's directory",
        )],
    },
    Entry {
        names: &["insmod"],
        grant: Grant::Module,
        follows_links: false,
        shapes: &[shape(
            &["{file}"],
            "insmod loads the caller's kernel module",
        )],
    },
    // ---------------------------------------------------------------- info
    Entry {
        names: &[
            "cat", "head", "tail", "tac", "nl", "od", "xxd", "strings", "base64", "hexdump",
        ],
        grant: Grant::Read,
        follows_links: false,
        shapes: &[shape(&["/etc/shadow"], READ_HOW)],
    },
    Entry {
        names: &["mkfs.*", "mke2fs", "mkswap", "blkdiscard", "shred"],
        grant: Grant::Destroy,
        follows_links: false,
        shapes: &[shape(&["{device}"], DESTROY_HOW)],
    },
    Entry {
        names: &["e2fsck", "fsck", "fsck.*"],
        grant: Grant::Destroy,
        follows_links: false,
        shapes: &[shape(&["-y", "{device}"], DESTROY_HOW)],
    },
    Entry {
        names: &["resize2fs"],
        grant: Grant::Destroy,
        follows_links: false,
        shapes: &[shape(&["-f", "{device}", "1M"], DESTROY_HOW)],
    },
    Entry {
        names: &["tune2fs"],
        grant: Grant::Destroy,
        follows_links: false,
        shapes: &[shape(
            &["-U", "random", "{device}"],
            "changes any filesystem's identity or features as root (the host may not boot): not root by itself",
        )],
    },
    Entry {
        names: &["wipefs"],
        grant: Grant::Destroy,
        follows_links: false,
        shapes: &[shape(&["-a", "{device}"], DESTROY_HOW)],
    },
    Entry {
        names: &["sgdisk"],
        grant: Grant::Destroy,
        follows_links: false,
        shapes: &[shape(&["-Z", "{device}"], DESTROY_HOW)],
    },
    Entry {
        names: &["sfdisk"],
        grant: Grant::Destroy,
        follows_links: false,
        shapes: &[shape(&["--delete", "{device}"], DESTROY_HOW)],
    },
    Entry {
        names: &["fdisk"],
        grant: Grant::Destroy,
        follows_links: false,
        shapes: &[shape(
            &["{device}"],
            "rewrites any disk's partition table as root from the caller's input: data loss, not root by itself",
        )],
    },
    Entry {
        names: &["parted"],
        grant: Grant::Destroy,
        follows_links: false,
        shapes: &[shape(&["-s", "{device}", "mklabel", "gpt"], DESTROY_HOW)],
    },
    Entry {
        names: &["cryptsetup"],
        grant: Grant::Destroy,
        follows_links: false,
        shapes: &[shape(&["erase", "{device}"], DESTROY_HOW)],
    },
    Entry {
        names: &["dmsetup"],
        grant: Grant::Destroy,
        follows_links: false,
        shapes: &[shape(
            &["remove_all", "--force"],
            "removes every device-mapper device (LVM volumes, encrypted disks) as root: data loss, not root by itself",
        )],
    },
    Entry {
        names: &["rm"],
        grant: Grant::Destroy,
        follows_links: false,
        shapes: &[shape(&["-rf", "/etc"], DESTROY_HOW)],
    },
    Entry {
        names: &["truncate"],
        grant: Grant::Destroy,
        follows_links: false,
        shapes: &[shape(&["-s", "0", "{target}"], DESTROY_HOW)],
    },
    Entry {
        names: &["kill", "pkill", "killall"],
        grant: Grant::Signal,
        follows_links: false,
        shapes: &[
            shape(
                &["-9", "1"],
                "signals any process as root (stops any service): not root by itself",
            ),
            shape(
                &["1"],
                "signals any process as root (stops any service): not root by itself",
            ),
        ],
    },
];

/// The entry for an executable's basename.
pub fn lookup(name: &str) -> Option<&'static Entry> {
    let versioned = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    let exact = |n: &str| CATALOGUE.iter().find(|e| e.names.contains(&n));
    exact(name)
        .or_else(|| (!versioned.is_empty()).then(|| exact(versioned)).flatten())
        .or_else(|| {
            CATALOGUE.iter().find(|e| {
                e.names.iter().any(|n| {
                    n.strip_suffix('*')
                        .is_some_and(|prefix| name.starts_with(prefix) && name.len() > prefix.len())
                })
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_by_basename_version_and_prefix() {
        assert_eq!(lookup("python3.11").map(|e| e.grant), Some(Grant::Exec));
        assert_eq!(lookup("perl5.36").map(|e| e.grant), Some(Grant::Exec));
        assert_eq!(lookup("mkfs").map(|e| e.grant), Some(Grant::Exec));
        assert_eq!(lookup("mkfs.ext4").map(|e| e.grant), Some(Grant::Destroy));
        assert_eq!(lookup("fsck.xfs").map(|e| e.grant), Some(Grant::Destroy));
        assert!(lookup("ls").is_none() && lookup("").is_none() && lookup("9").is_none());
        assert!(lookup("ip6tables").is_none());
    }

    #[test]
    fn every_shape_uses_known_placeholders() {
        for e in CATALOGUE {
            assert!(!e.names.is_empty() && !e.shapes.is_empty());
            for s in e.shapes {
                for a in s.args {
                    // `{word}` with a lowercase word is a placeholder.
                    for (i, _) in a.match_indices('{') {
                        let tail = a.get(i..).unwrap_or_default();
                        if let Some(end) = tail.find('}') {
                            let name = tail.get(..=end).unwrap_or_default();
                            let word = name.trim_matches(|c| c == '{' || c == '}');
                            if !word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase()) {
                                assert!(super::super::witness::PLACEHOLDERS.contains(&name), "{a}");
                            }
                        }
                    }
                }
            }
        }
    }
}
