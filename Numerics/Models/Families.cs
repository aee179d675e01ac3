using LoopedIcl.Numerics.Algebra;

namespace LoopedIcl.Numerics.Models;

/// <summary>The parameters (P, Q) of one attention layer, both (d+1)×(d+1).</summary>
public sealed record AttentionLayer<T>(Mat<T> P, Mat<T> Q) where T : struct, IScalar<T>
{
    public int Width => P.Rows;
}

/// <summary>The parameter families the papers use, built from their d×d blocks.</summary>
public static class Families
{
    /// <summary>Ahn et al. (8): P = [[0,0],[0,1]], Q = −[[A,0],[0,0]]. With the + residual this is PGD with preconditioner Aᵀ.</summary>
    public static AttentionLayer<T> SparsePreconditioner<T>(Mat<T> a) where T : struct, IScalar<T>
    {
        int d = SquareSize(a, nameof(a));
        var p = new Mat<T>(d + 1, d + 1);
        p[d, d] = T.One;
        var q = new Mat<T>(d + 1, d + 1);
        q.SetBlock(0, 0, -a);
        return new AttentionLayer<T>(p, q);
    }

    /// <summary>Ahn et al. (11), "GD++": P = [[B,0],[0,1]], Q = [[A,0],[0,0]] (no minus sign).</summary>
    public static AttentionLayer<T> GdPlusPlus<T>(Mat<T> a, Mat<T> b) where T : struct, IScalar<T>
    {
        int d = SquareSize(a, nameof(a));
        Guard.Shape(b.Rows, b.Cols, d, d, nameof(b));
        var p = new Mat<T>(d + 1, d + 1);
        p.SetBlock(0, 0, b);
        p[d, d] = T.One;
        var q = new Mat<T>(d + 1, d + 1);
        q.SetBlock(0, 0, a);
        return new AttentionLayer<T>(p, q);
    }

    /// <summary>Gatmiry et al.: Q = [[A,0],[0,0]], P = [[0,0],[uᵀ,1]], used with the − residual.</summary>
    public static AttentionLayer<T> Gatmiry<T>(Mat<T> a, Mat<T>? u = null) where T : struct, IScalar<T>
    {
        int d = SquareSize(a, nameof(a));
        var p = new Mat<T>(d + 1, d + 1);
        if (u is not null)
        {
            Guard.Shape(u.Rows, u.Cols, d, 1, nameof(u));
            p.SetBlock(d, 0, u.Transpose());
        }
        p[d, d] = T.One;
        var q = new Mat<T>(d + 1, d + 1);
        q.SetBlock(0, 0, a);
        return new AttentionLayer<T>(p, q);
    }

    /// <summary>Chen et al. (row layout): Q = I_{d+1}, P = diag(I_d, 0).</summary>
    public static AttentionLayer<T> ChenIdentity<T>(int d) where T : struct, IScalar<T>
    {
        Guard.Positive(d, nameof(d));
        var p = Mat<T>.Identity(d + 1);
        p[d, d] = T.Zero;
        return new AttentionLayer<T>(p, Mat<T>.Identity(d + 1));
    }

    private static int SquareSize<T>(Mat<T> a, string name) where T : struct, IScalar<T>
    {
        Guard.Square(a.Rows, a.Cols, name);
        return a.Rows;
    }
}
