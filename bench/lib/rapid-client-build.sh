# Sourced by the bench scripts for EXCHANGE=rapid: RAPID_CLIENT names the pukeko-rapid-client to run; without it,
# bench/Pukeko.RapidCommitClient of this checkout is published into $WORK/rapid-client (needs ROOT and WORK). It has
# no package references, so the publish needs no network.
if [ -z "${RAPID_CLIENT:-}" ]; then
  echo "publishing pukeko-rapid-client (Release) to $WORK/rapid-client" >&2
  dotnet publish "$ROOT/bench/Pukeko.RapidCommitClient" -c Release -o "$WORK/rapid-client" -nologo -v q >&2
  RAPID_CLIENT=$WORK/rapid-client/pukeko-rapid-client
fi
