namespace Pukeko.Server.Tests;
