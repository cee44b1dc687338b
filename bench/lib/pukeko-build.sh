# Sourced by the bench scripts: PUKEKO names the pukeko-dhcp6 to measure; without it, a Release build of this
# checkout is published into $WORK/pukeko (needs ROOT and WORK).
if [ -z "${PUKEKO:-}" ]; then
  echo "publishing pukeko-dhcp6 (Release) to $WORK/pukeko" >&2
  dotnet publish "$ROOT/src/Pukeko.Daemon" -c Release -r linux-x64 --self-contained false -o "$WORK/pukeko" -nologo -v q >&2
  PUKEKO=$WORK/pukeko/pukeko-dhcp6
fi
