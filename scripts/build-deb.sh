#!/usr/bin/env bash
# Builds the Debian package artifacts/pukeko-dhcp6_<version>_amd64.deb: pukeko-dhcp6 and pukeko-ctl
# published self-contained and ReadyToRun into /usr/lib/pukeko (the machine needs no .NET runtime),
# wrappers in /usr/sbin and /usr/bin, the default configuration, the systemd unit, man pages and
# maintainer scripts from packaging/deb. Needs the .NET SDK, dpkg-deb and dpkg-shlibdeps (dpkg-dev,
# installed with apt when missing and run as root). Runs lintian when it is installed and fails on
# its errors and warnings. Prints the package's path as its last line.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
SRC=packaging/deb
WORK=artifacts/deb
OUT=artifacts

need=()
command -v dpkg-deb >/dev/null || need+=(dpkg)
command -v dpkg-shlibdeps >/dev/null || need+=(dpkg-dev)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "build-deb.sh: install ${need[*]} (apt-get install ${need[*]})" >&2; exit 2; fi
  echo "build-deb.sh: installing ${need[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi

# The package version is the project's <Version> (Directory.Build.props) with Debian revision 1; a
# pre-release suffix sorts before the release in Debian as in SemVer ("-" becomes "~").
upstream=$(dotnet msbuild src/Pukeko.Daemon/Pukeko.Daemon.csproj -getProperty:Version -nologo | tr -d '[:space:]')
[ -n "$upstream" ] || { echo "build-deb.sh: could not read the project version" >&2; exit 1; }
version="${upstream//-/\~}-1"
# The changelog is written by hand; a package whose changelog does not describe it is not built.
changelog_version=$(sed -n '1s/^pukeko-dhcp6 (\([^)]*\)).*/\1/p' "$SRC/changelog")
if [ "$changelog_version" != "$version" ]; then
  echo "build-deb.sh: $SRC/changelog starts with version '$changelog_version', the project is '$version': add an entry" >&2
  exit 1
fi
# Reproducible dates: the last commit's (dpkg-deb clamps file times to SOURCE_DATE_EPOCH too).
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)

# PUKEKO_DEB_REUSE_PUBLISH=1 packs the programs the last run published (when changing only packaging/deb).
if [ "${PUKEKO_DEB_REUSE_PUBLISH:-}" = 1 ] && [ -d "$WORK/publish/Ctl" ]; then
  rm -rf "$WORK/debian"
else
  rm -rf "$WORK"
  mkdir -p "$WORK/publish"
  for p in Daemon Ctl; do
    dotnet publish "src/Pukeko.$p" -c Release -r linux-x64 --self-contained true -p:PublishReadyToRun=true \
      -o "$WORK/publish/$p" -nologo -v minimal
  done
fi

# dpkg-shlibdeps expects debhelper's layout: debian/control beside the package's tree debian/<package>.
stage="$WORK/debian/pukeko-dhcp6"
lib="$stage/usr/lib/pukeko"
mkdir -p "$lib"
# One runtime for both programs: they are published with the same SDK, so the files they share are
# the same files. A file that differs means the two builds disagree, and the package is not built.
cp -a "$WORK/publish/Daemon/." "$lib/"
for f in $(cd "$WORK/publish/Ctl" && find . -type f); do
  if [ -e "$lib/$f" ]; then
    cmp -s "$WORK/publish/Ctl/$f" "$lib/$f" || { echo "build-deb.sh: $f differs between pukeko-dhcp6 and pukeko-ctl" >&2; exit 1; }
  else
    install -D -m 0644 "$WORK/publish/Ctl/$f" "$lib/$f"
  fi
done
# Debug symbols stay out of the package (as Debian keeps them in -dbgsym packages), and so do the
# XML API docs, which only an IDE reads. The LTTng trace
# provider links liblttng-ust.so.0, which Debian 12 does not have; the runtime loads it only to trace
# with LTTng and runs without it.
find "$lib" \( -name '*.pdb' -o -name '*.xml' \) -delete
rm -f "$lib/libcoreclrtraceptprovider.so"

install -D -m 0755 "$SRC/pukeko-dhcp6.sh" "$stage/usr/sbin/pukeko-dhcp6"
install -D -m 0755 "$SRC/pukeko-ctl.sh" "$stage/usr/bin/pukeko-ctl"
install -D -m 0644 "$SRC/pukeko-dhcp6.conf" "$stage/etc/pukeko/pukeko-dhcp6.conf"
install -D -m 0644 "$SRC/pukeko-dhcp6.service" "$stage/lib/systemd/system/pukeko-dhcp6.service"
install -D -m 0644 "$SRC/lintian-overrides" "$stage/usr/share/lintian/overrides/pukeko-dhcp6"

man() { # $1 source page, $2 section
  mkdir -p "$stage/usr/share/man/man$2"
  sed -e "s/@VERSION@/$upstream/g" -e "s/@DATE@/$date/g" "$SRC/$1" | gzip -9n > "$stage/usr/share/man/man$2/$1.gz"
}
man pukeko-dhcp6.8 8
man pukeko-ctl.1 1

doc="$stage/usr/share/doc/pukeko-dhcp6"
mkdir -p "$doc"
gzip -9n < "$SRC/changelog" > "$doc/changelog.Debian.gz"
# The bundled runtime's licence and notices come from the runtime packs the programs were
# published with, word for word as those packs carry them.
runtime_version=$(grep -A1 '"Microsoft.NETCore.App"' "$lib/pukeko-dhcp6.runtimeconfig.json" | sed -n 's/.*"version": "\([^"]*\)".*/\1/p')
packs=${NUGET_PACKAGES:-$HOME/.nuget/packages}
netcore="$packs/microsoft.netcore.app.runtime.linux-x64/$runtime_version"
aspnet="$packs/microsoft.aspnetcore.app.runtime.linux-x64/$runtime_version"
[ -f "$netcore/LICENSE.TXT" ] && [ -f "$aspnet/THIRD-PARTY-NOTICES.TXT" ] \
  || { echo "build-deb.sh: runtime packs $runtime_version not found under $packs" >&2; exit 1; }
expat=$(sed -e '/^The MIT License/d' -e '/^Copyright/d' -e '/^All rights reserved/d' "$netcore/LICENSE.TXT" \
  | sed -e '/./,$!d' | sed -e 's/^$/./' -e 's/^/ /')
awk -v text="$expat" '$0 == "@EXPAT_TEXT@" { print text; next } { print }' "$SRC/copyright" > "$doc/copyright"
{ echo "=== Microsoft.NETCore.App $runtime_version ==="; cat "$netcore/THIRD-PARTY-NOTICES.TXT"
  echo; echo "=== Microsoft.AspNetCore.App $runtime_version ==="; cat "$aspnet/THIRD-PARTY-NOTICES.TXT"; } \
  | gzip -9n > "$doc/dotnet-third-party-notices.txt.gz"

# Plain modes: directories and files 0755/0644, executables 0755 (shared objects are not).
find "$stage" -type d -exec chmod 0755 {} +
find "$stage" -type f -exec chmod 0644 {} +
chmod 0755 "$stage/usr/sbin/pukeko-dhcp6" "$stage/usr/bin/pukeko-ctl" "$lib/pukeko-dhcp6" "$lib/pukeko-ctl"
[ -f "$lib/createdump" ] && chmod 0755 "$lib/createdump"

# Dependencies: the shared libraries the ELF files link against (dpkg-shlibdeps), plus libssl3,
# which the runtime opens at run time for TLS (the HTTPS control channel), so no ELF names it.
elves=$(find "$lib" -type f \( -name '*.so' -o -perm -u+x \) -exec sh -c 'head -c4 "$1" | grep -q ELF && echo "$1"' _ {} \;)
mkdir -p "$stage/DEBIAN"
printf 'Source: pukeko-dhcp6\n\nPackage: pukeko-dhcp6\nArchitecture: amd64\n' > "$WORK/debian/control"
# Its warnings (kept in shlibdeps.log) are expected: the runtime's libraries name pthread and dl
# symbols that glibc 2.34 moved into libc, and its debugger libraries have no version in their names.
shlibs=$(cd "$WORK" && dpkg-shlibdeps -O -l"${lib#"$WORK"/}" $(for e in $elves; do echo "${e#"$WORK"/}"; done) 2>shlibdeps.log \
  | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { cat "$WORK/shlibdeps.log" >&2; echo "build-deb.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
depends="adduser, $shlibs, libssl3"

install -m 0755 "$SRC/postinst" "$SRC/prerm" "$SRC/postrm" "$stage/DEBIAN/"
install -m 0644 "$SRC/conffiles" "$stage/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$size/" -e "s/@DEPENDS@/$depends/" "$SRC/control.in" > "$stage/DEBIAN/control"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/md5sums"

deb="$OUT/pukeko-dhcp6_${version}_amd64.deb"
rm -f "$deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null

if command -v lintian >/dev/null; then
  echo "build-deb.sh: lintian $deb" >&2
  lintian --fail-on error,warning --info "$deb" >&2
fi
echo "$ROOT/$deb"
