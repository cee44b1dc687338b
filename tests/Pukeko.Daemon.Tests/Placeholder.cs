namespace Pukeko.Daemon.Tests;
