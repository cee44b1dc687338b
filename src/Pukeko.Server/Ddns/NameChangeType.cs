namespace Pukeko.Server.Ddns;

/// <summary>Kea's NCR <c>change-type</c> values.</summary>
internal enum NameChangeType
{
    Add = 0,
    Remove = 1,
}
