namespace Pukeko.EndToEnd.Tests;
