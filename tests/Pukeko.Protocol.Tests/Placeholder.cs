namespace Pukeko.Protocol.Tests;
