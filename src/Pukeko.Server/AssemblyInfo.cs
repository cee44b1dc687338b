namespace Pukeko.Server;
