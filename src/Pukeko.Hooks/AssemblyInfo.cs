namespace Pukeko.Hooks;
