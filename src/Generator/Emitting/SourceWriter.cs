using System.Text;

namespace Sidecar.Generators.Emitting
{
    /// <summary>A small indenting writer: generated code should read like code written by hand.</summary>
    internal sealed class SourceWriter
    {
        private readonly StringBuilder _text = new();
        private int _indent;

        public void Line(string line = "")
        {
            if (line.Length > 0)
            {
                _text.Append(' ', _indent * 4);
                _text.Append(line);
            }

            _text.Append('\n');
        }

        public void Open(string header)
        {
            Line(header);
            OpenBrace();
        }

        public void OpenBrace()
        {
            Line("{");
            _indent++;
        }

        public void Close(string suffix = "")
        {
            _indent--;
            Line("}" + suffix);
        }

        public override string ToString() => _text.ToString();
    }
}
