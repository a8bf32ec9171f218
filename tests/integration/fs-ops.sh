# fs-ops.sh - run inside a container (busybox sh): what a root filesystem must do,
# one line per behaviour, the same on kernel overlayfs and fuse-overlayfs.
echo a >/new && echo "create in /: $(cat /new)"
mv /new /renamed && [ ! -e /new ] && echo "rename: $(cat /renamed)"
mv /etc/motd /etc/motd2 && [ ! -e /etc/motd ] && echo "rename a lower file: $(cat /etc/motd2)"
rm /renamed && [ ! -e /renamed ] && echo "delete: gone"
rm /etc/passwd- 2>/dev/null; rm /bin/ls && [ ! -e /bin/ls ] && echo "delete a lower file: gone"
rm -r /home && mkdir /home && echo "a lower dir removed and made again: [$(ls -A /home)]"
chmod 640 /etc/group && echo "chmod: $(stat -c %a /etc/group)"
chown 1000:50 /etc/group && echo "chown: $(stat -c %u:%g /etc/group)"
echo h >/h1 && ln /h1 /h2 && echo more >>/h2 && echo "hard link: $(stat -c %h /h1) $(cat /h1 | tr '\n' ' ')"
ln /etc/nsswitch.conf /nss && echo "hard link to a lower file: $(stat -c %h /nss) $(cat /nss)"
fsprobe setx /h1 user.roost v1 && echo "xattr: $(fsprobe getx /h1 user.roost)"
fsprobe setx /etc/nsswitch.conf user.roost v2 && echo "xattr on a lower file: $(fsprobe getx /etc/nsswitch.conf user.roost)"
d=/deep; i=0
while [ $i -lt 60 ]; do d=$d/d$i; i=$((i + 1)); done
mkdir -p $d && echo deep >$d/f && echo "deep path: ${#d} $(cat $d/f)"
mkdir /many && i=0
while [ $i -lt 2000 ]; do echo $i >/many/f$i; i=$((i + 1)); done
echo "2000 files: $(ls /many | wc -l) $(cat /many/f1999)"
rm -r /many && [ ! -e /many ] && echo "2000 files removed"
